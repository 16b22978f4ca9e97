package dev.viz.transport.turn;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A TURN server and the credentials to use it, as written in a {@code turn:} or {@code turns:} URI
 * (RFC 7065, with the credentials in the user part as hosted services and coturn users write them):
 *
 * <pre>
 * turn:USER:PASS@relay.example.net:3478                 UDP to port 3478 (the default)
 * turn:USER:PASS@relay.example.net:3478?transport=tcp   TCP
 * turns:USER:PASS@relay.example.net:443                 TLS (default port 5349)
 * </pre>
 *
 * USER and PASS are percent-encoded where they hold {@code : @ ? %}. Immutable.
 */
public final class TurnServer {
    /** How the client reaches the relay; the relay always relays UDP to the peer. */
    public enum Carrier {
        UDP, TCP, TLS
    }

    public static final int DEFAULT_PORT = 3478;
    public static final int DEFAULT_TLS_PORT = 5349;

    private final Carrier carrier;
    private final String host;
    private final int port;
    private final String username;
    private final String password;

    private TurnServer(Carrier carrier, String host, int port, String username, String password) {
        this.carrier = carrier;
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
    }

    /** A relay without credentials yet (see {@link #withCredentials} and {@link #withTimeLimitedCredentials}). */
    public static TurnServer of(Carrier carrier, String host, int port) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the relay's host must not be empty");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("relay port " + port + ": use 1 to 65535");
        }
        return new TurnServer(Objects.requireNonNull(carrier, "carrier"), host, port, null, null);
    }

    /**
     * Parses a {@code turn:} or {@code turns:} URI.
     *
     * @throws IllegalArgumentException with a message that shows the expected form
     */
    public static TurnServer parse(String uri) {
        String form = " (expected turn:USER:PASS@HOST:PORT, turn:...?transport=tcp or turns:USER:PASS@HOST:PORT)";
        String s = Objects.requireNonNull(uri, "uri").trim();
        Carrier carrier;
        String rest;
        if (s.regionMatches(true, 0, "turns:", 0, 6)) {
            carrier = Carrier.TLS;
            rest = s.substring(6);
        } else if (s.regionMatches(true, 0, "turn:", 0, 5)) {
            carrier = Carrier.UDP;
            rest = s.substring(5);
        } else {
            throw new IllegalArgumentException("'" + redact(uri) + "' is not a TURN URI" + form);
        }
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        int query = rest.indexOf('?');
        if (query >= 0) {
            String q = rest.substring(query + 1).toLowerCase(Locale.ROOT);
            rest = rest.substring(0, query);
            if (q.equals("transport=tcp")) {
                carrier = carrier == Carrier.TLS ? Carrier.TLS : Carrier.TCP;
            } else if (!q.equals("transport=udp") || carrier == Carrier.TLS) {
                throw new IllegalArgumentException("'" + redact(uri) + "': unknown or impossible '?" + q + "'" + form);
            }
        }
        String user = null;
        String pass = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + redact(uri) + "': write the credentials as USER:PASS@" + form);
            }
            user = decode(info.substring(0, colon));
            pass = decode(info.substring(colon + 1));
        }
        String host;
        boolean bracketed = rest.startsWith("[");
        int port = carrier == Carrier.TLS ? DEFAULT_TLS_PORT : DEFAULT_PORT;
        if (bracketed) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + redact(uri) + "': unclosed [ in an IPv6 address" + form);
            }
            host = rest.substring(1, close);
            rest = rest.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new IllegalArgumentException("'" + redact(uri) + "': junk after the address" + form);
            }
            rest = rest.isEmpty() ? "" : rest.substring(1);
            if (!rest.isEmpty()) {
                port = parsePort(rest, uri, form);
            }
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon >= 0) {
                host = rest.substring(0, colon);
                port = parsePort(rest.substring(colon + 1), uri, form);
            } else {
                host = rest;
            }
        }
        if (host.isEmpty() || (!bracketed && host.indexOf(':') >= 0)) {
            throw new IllegalArgumentException("'" + redact(uri) + "': no relay host" + form);
        }
        return new TurnServer(carrier, host, port, user, pass);
    }

    private static int parsePort(String s, String uri, String form) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65_535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'" + redact(uri) + "': the port must be a number from 1 to 65535" + form);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The URI with the password replaced by {@code ***}, for messages and logs. */
    static String redact(String uri) {
        int at = uri.lastIndexOf('@');
        int scheme = uri.indexOf(':');
        if (at < 0 || scheme < 0) {
            return uri;
        }
        int colon = uri.indexOf(':', scheme + 1);
        return colon > 0 && colon < at ? uri.substring(0, colon + 1) + "***" + uri.substring(at) : uri;
    }

    /** The same relay with these long-term credentials. */
    public TurnServer withCredentials(String user, String pass) {
        if (user == null || user.isEmpty() || pass == null) {
            throw new IllegalArgumentException("a TURN username and password are required");
        }
        return new TurnServer(carrier, host, port, user, pass);
    }

    /**
     * The same relay with time-limited credentials derived from a shared secret, as coturn's
     * {@code use-auth-secret} / {@code static-auth-secret} and most hosted TURN services check them
     * ("TURN REST API"): username {@code EXPIRY:user} (EXPIRY in Unix seconds), password
     * {@code base64(HMAC-SHA1(secret, username))}. The secret itself never leaves this machine.
     */
    public TurnServer withTimeLimitedCredentials(String secret, String user, Duration lifetime, long nowEpochS) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("the relay secret must not be empty");
        }
        String name = (nowEpochS + lifetime.toSeconds()) + ":" + (user == null || user.isEmpty() ? "viz" : user);
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            String pass = Base64.getEncoder().encodeToString(mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
            return new TurnServer(carrier, host, port, name, pass);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this Java runtime", e);
        }
    }

    /**
     * When time-limited credentials expire (the number before the first ':' of the username, in Unix
     * seconds), or -1 for plain long-term credentials.
     */
    public long credentialsExpiryEpochS() {
        if (username == null) {
            return -1;
        }
        int colon = username.indexOf(':');
        String head = colon > 0 ? username.substring(0, colon) : username;
        if (head.isEmpty() || head.length() > 12 || !head.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(head);
    }

    public Carrier carrier() {
        return carrier;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The username, or null when the URI had no credentials. */
    public String username() {
        return username;
    }

    /** The password, or null when the URI had no credentials. */
    public String password() {
        return password;
    }

    public boolean hasCredentials() {
        return username != null && password != null;
    }

    /** The URI, credentials included, in the form {@link #parse} reads. */
    public String toUri() {
        StringBuilder b = new StringBuilder(carrier == Carrier.TLS ? "turns:" : "turn:");
        if (hasCredentials()) {
            b.append(encode(username)).append(':').append(encode(password)).append('@');
        }
        b.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port);
        if (carrier == Carrier.TCP) {
            b.append("?transport=tcp");
        }
        return b.toString();
    }

    /** The URI without the password. */
    @Override
    public String toString() {
        return redact(toUri());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TurnServer t && t.toUri().equals(toUri());
    }

    @Override
    public int hashCode() {
        return toUri().hashCode();
    }
}
