package dev.viz.transport.reach;

import dev.viz.core.Transport;
import dev.viz.transport.stream.StreamTransport;
import dev.viz.transport.udp.UdpTransport;
import java.net.URI;
import java.time.Duration;
import java.net.URISyntaxException;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/**
 * Where to call, in the forms a user copies from a tunnel's output:
 *
 * <pre>
 *   host:port                 UDP first, then TCP on the same port when UDP gets no answer in 3 s
 *   udp://host:port           UDP only
 *   tcp://host:port           raw TCP (ngrok tcp, bore, ssh -R)
 *   ws://host[:port][/path]   WebSocket (path default /viz)
 *   wss://host[:port][/path]  WebSocket over TLS
 *   https://host[:port][/p]   what an HTTPS tunnel prints: wss:// at Viz's path /viz (under /p)
 *   http://host[:port][/p]    ws:// at Viz's path
 * </pre>
 *
 * <p>Immutable.
 */
public record CallAddress(Kind kind, String host, int port, String path) {
    /** The carrier an address asks for. */
    public enum Kind {
        /** {@code host:port}: UDP, then TCP. */
        AUTO,
        UDP,
        TCP,
        WS,
        WSS
    }

    /** The address forms, one per line, for help texts. */
    public static final String FORMS = "HOST:PORT (UDP, then TCP), udp://HOST:PORT, tcp://HOST:PORT,"
            + " ws://HOST[:PORT][/PATH], wss://HOST[:PORT][/PATH], https://HOST (= wss://HOST/viz)";

    /**
     * Parses an address.
     *
     * @throws IllegalArgumentException with a message that shows the accepted forms
     */
    public static CallAddress parse(String address) {
        String s = address == null ? "" : address.trim();
        if (!s.contains("://")) {
            UdpTransport.HostPort hp = UdpTransport.HostPort.parse(s);
            return new CallAddress(Kind.AUTO, hp.host(), hp.port(), null);
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + address + "' is not an address: " + e.getReason() + "; use " + FORMS);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("'" + address + "' has no host; use " + FORMS);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        switch (scheme) {
            case "udp", "tcp" -> {
                if (uri.getPort() <= 0) {
                    throw new IllegalArgumentException("'" + address + "' needs a port, as " + scheme + "://HOST:8443");
                }
                if (!path.isEmpty() && !path.equals("/")) {
                    throw new IllegalArgumentException("'" + address + "': a " + scheme + ":// address has no path");
                }
                return new CallAddress(scheme.equals("udp") ? Kind.UDP : Kind.TCP, host, uri.getPort(), null);
            }
            case "ws", "wss" -> {
                String p = path.isEmpty() ? StreamTransport.DEFAULT_PATH : path;
                if (uri.getRawQuery() != null) {
                    p += "?" + uri.getRawQuery();
                }
                boolean tls = scheme.equals("wss");
                return new CallAddress(tls ? Kind.WSS : Kind.WS, host, port(uri, tls), p);
            }
            case "http", "https" -> {
                String p = path.endsWith(StreamTransport.DEFAULT_PATH) ? path
                        : (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + StreamTransport.DEFAULT_PATH;
                boolean tls = scheme.equals("https");
                return new CallAddress(tls ? Kind.WSS : Kind.WS, host, port(uri, tls), p);
            }
            default -> throw new IllegalArgumentException("'" + address + "': unknown scheme " + scheme + "://; use " + FORMS);
        }
    }

    private static int port(URI uri, boolean tls) {
        int p = uri.getPort();
        if (p > 65_535) {
            throw new IllegalArgumentException("port " + p + ": use 1 to 65535");
        }
        return p > 0 ? p : tls ? 443 : 80;
    }

    /**
     * A transport that calls this address (not yet opened; wrap it in the secure layer).
     *
     * @param sslContext for {@code wss}, or null for the JDK's default (its CA certificates)
     */
    public Transport transport(int maxPayloadBytes, SSLContext sslContext) {
        return transport(maxPayloadBytes, sslContext, UdpTransport.DEFAULT_CONNECT_TIMEOUT);
    }

    /**
     * As {@link #transport(int, SSLContext)}; a UDP or UDP-then-TCP call gives up (the transport
     * fails with a message that says what to check) when nothing answers within {@code connectTimeout}
     * ({@link Duration#ZERO}: wait for ever).
     */
    public Transport transport(int maxPayloadBytes, SSLContext sslContext, Duration connectTimeout) {
        return switch (kind) {
            case AUTO -> new FallbackTransport(host, port, maxPayloadBytes).withConnectTimeout(connectTimeout);
            case UDP -> UdpTransport.connect(host, port, maxPayloadBytes).withConnectTimeout(connectTimeout);
            case TCP -> StreamTransport.tcp(host, port).maxPayloadBytes(maxPayloadBytes).build();
            case WS, WSS -> {
                StreamTransport.Builder b = StreamTransport.webSocket(URI.create(
                        (kind == Kind.WSS ? "wss://" : "ws://") + hostForUri() + ":" + port + path))
                        .maxPayloadBytes(maxPayloadBytes);
                if (sslContext != null) {
                    b.sslContext(sslContext);
                }
                yield b.build();
            }
        };
    }

    private String hostForUri() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> hostForUri() + ":" + port;
            case UDP -> "udp://" + hostForUri() + ":" + port;
            case TCP -> "tcp://" + hostForUri() + ":" + port;
            case WS -> "ws://" + hostForUri() + ":" + port + path;
            case WSS -> "wss://" + hostForUri() + ":" + port + path;
        };
    }
}
