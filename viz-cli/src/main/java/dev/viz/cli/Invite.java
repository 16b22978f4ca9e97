package dev.viz.cli;

import dev.viz.transport.turn.TurnServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The line a listener behind NAT prints for its peer: where to call (the listener's relayed address
 * on a TURN relay), how to reach that relay (its URI with credentials for the caller: time-limited
 * ones when the listener holds the relay's secret, never the secret), and the listener's key
 * fingerprint, so the caller pins the key instead of comparing codes.
 *
 * <pre>
 * viz:relay?peer=203.0.113.5:49731&amp;turn=turn%3A...%40relay.example.net%3A3478&amp;key=FINGERPRINT&amp;expires=1796280066
 * </pre>
 *
 * {@code expires} (Unix seconds) is absent when the credentials do not expire: the invite is then
 * valid while the listener runs. Immutable.
 */
record Invite(InetSocketAddress peer, TurnServer relay, String fingerprint, long expiresEpochS) {
    static final String PREFIX = "viz:relay?";

    Invite {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    static boolean looksLikeInvite(String s) {
        return s != null && s.trim().startsWith("viz:");
    }

    /**
     * Reads an invite.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static Invite parse(String text) {
        String s = Objects.requireNonNull(text, "text").trim();
        if (s.startsWith("'") && s.endsWith("'") && s.length() > 1) {
            s = s.substring(1, s.length() - 1);
        }
        if (!s.startsWith(PREFIX)) {
            throw new IllegalArgumentException("'" + shorten(s) + "' is not a Viz invite (it starts with " + PREFIX
                    + "; copy the whole line the listener printed)");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : s.substring(PREFIX.length()).split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("the invite is damaged near '" + shorten(pair)
                        + "': copy the whole line the listener printed");
            }
            fields.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        for (String required : new String[] {"peer", "turn", "key"}) {
            if (!fields.containsKey(required)) {
                throw new IllegalArgumentException("the invite has no '" + required
                        + "': copy the whole line the listener printed");
            }
        }
        long expires = 0;
        if (fields.containsKey("expires")) {
            try {
                expires = Long.parseLong(fields.get("expires"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the invite's expiry '" + fields.get("expires") + "' is not a number");
            }
        }
        return new Invite(parseAddress(fields.get("peer")), TurnServer.parse(fields.get("turn")), fields.get("key"),
                expires);
    }

    private static InetSocketAddress parseAddress(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("the invite's peer '" + s + "' is not IP:PORT");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("the invite's peer '" + s + "' is not an IP address and port");
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            if (port < 1 || port > 65_535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (NumberFormatException | UnknownHostException e) {
            throw new IllegalArgumentException("the invite's peer '" + s + "' is not IP:PORT");
        }
    }

    /** The invite as one line, without the {@code viz -c} around it. */
    String format() {
        String host = peer.getAddress().getHostAddress();
        String address = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + peer.getPort();
        return PREFIX + "peer=" + address + "&turn=" + URLEncoder.encode(relay.toUri(), StandardCharsets.UTF_8)
                + "&key=" + fingerprint + (expiresEpochS > 0 ? "&expires=" + expiresEpochS : "");
    }

    /** The command the peer pastes. */
    String command() {
        return "viz -c '" + format() + "'";
    }

    boolean isExpired(long nowEpochS) {
        return expiresEpochS > 0 && nowEpochS >= expiresEpochS;
    }

    /** When it expires, for messages. */
    String expiry() {
        return expiresEpochS > 0 ? Instant.ofEpochSecond(expiresEpochS).toString() : "never (while the listener runs)";
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
