package dev.viz.transport.stream.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Opens one stream to a listener, blocking (on a dialling thread, never the network thread): TCP
 * connect, then for WebSockets an HTTP proxy's {@code CONNECT} when the environment names one, TLS
 * (the JDK's, with the usual certificate and host name checks) for {@code wss}, and the RFC 6455
 * opening handshake. Returns the stream, non-blocking, ready for frames.
 */
public final class Dialer {
    /** How a stream reaches the listener. */
    public record Target(String host, int port, boolean webSocket, boolean tls, String path) {
    }

    /** The smallest send buffer the kernel allows is about this much: the sender's queue stays short. */
    public static final int SEND_BUFFER_BYTES = 8 * 1024;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Target target;
    private final SSLContext sslContext;
    private final Map<String, String> env;
    private final int connectTimeoutMs;
    private final int maxPayloadBytes;
    private volatile SocketChannel channel;

    public Dialer(Target target, SSLContext sslContext, Map<String, String> env, int connectTimeoutMs,
            int maxPayloadBytes) {
        this.target = target;
        this.sslContext = sslContext;
        this.env = env;
        this.connectTimeoutMs = connectTimeoutMs;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** Closes the socket of a dial in progress, so that a hanging server cannot hold the dialling thread. */
    public void abort() {
        SocketChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }
    }

    /** Dials; the message of the exception says what failed and where. */
    public FramedStream dial() throws IOException {
        InetSocketAddress proxy = target.webSocket()
                ? EnvironmentProxy.select(target.host(), target.port(), target.tls(), env) : null;
        InetSocketAddress to = proxy != null ? new InetSocketAddress(proxy.getHostString(), proxy.getPort())
                : new InetSocketAddress(target.host(), target.port());
        if (to.isUnresolved()) {
            throw new IOException("cannot resolve host '" + to.getHostString() + "'");
        }
        SocketChannel ch = SocketChannel.open();
        channel = ch;
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            ch.socket().connect(to, connectTimeoutMs);
            if (proxy != null) {
                connectThroughProxy(ch, proxy);
            }
            SSLEngine engine = null;
            if (target.tls()) {
                engine = sslContext.createSSLEngine(target.host(), target.port());
                engine.setUseClientMode(true);
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                params.setApplicationProtocols(new String[] {"http/1.1"});
                if (!isAddressLiteral(target.host())) {
                    params.setServerNames(List.of(new SNIHostName(target.host())));
                }
                engine.setSSLParameters(params);
            }
            FramedStream stream = new FramedStream(ch, engine,
                    target.webSocket() ? FramedStream.Framing.WEBSOCKET_CLIENT : FramedStream.Framing.LENGTH_PREFIXED,
                    maxPayloadBytes);
            if (engine != null) {
                try {
                    stream.handshakeBlocking();
                } catch (IOException e) {
                    throw new IOException("TLS with " + target.host() + ":" + target.port() + " failed: " + e.getMessage(), e);
                }
            }
            if (target.webSocket()) {
                upgrade(stream);
            }
            ch.configureBlocking(false);
            return stream;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void connectThroughProxy(SocketChannel ch, InetSocketAddress proxy) throws IOException {
        String authority = authority(target.host(), target.port());
        FramedStream plain = new FramedStream(ch, null, FramedStream.Framing.LENGTH_PREFIXED, maxPayloadBytes);
        plain.writeBlocking(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        int end = plain.readHeadBlocking();
        HttpHead head = HttpHead.parseResponse(plain.bufferArray(), plain.bufferStart(), plain.bufferStart() + end);
        if (head == null || head.status / 100 != 2) {
            throw new IOException("the HTTP proxy " + proxy.getHostString() + ":" + proxy.getPort() + " refused CONNECT "
                    + authority + (head == null ? "" : " (status " + head.status + ")"));
        }
    }

    private void upgrade(FramedStream stream) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        boolean defaultPort = target.port() == (target.tls() ? 443 : 80);
        String host = defaultPort ? hostForHeader(target.host()) : authority(target.host(), target.port());
        stream.writeBlocking(("GET " + target.path() + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "User-Agent: viz\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        int end = stream.readHeadBlocking();
        HttpHead head = HttpHead.parseResponse(stream.bufferArray(), stream.bufferStart(), stream.bufferStart() + end);
        String where = (target.tls() ? "wss://" : "ws://") + host + target.path();
        if (head == null) {
            throw new IOException(where + " did not answer with HTTP");
        }
        if (head.status != 101) {
            throw new IOException(where + " answered HTTP " + head.status + " instead of a WebSocket"
                    + (head.status == 404 ? " (is the path right? Viz listens at /viz)" : ""));
        }
        if (!HttpHead.hasToken(head.upgrade, "websocket") || !HttpHead.acceptFor(key).equals(head.webSocketAccept)) {
            throw new IOException(where + " answered the upgrade without a valid Sec-WebSocket-Accept");
        }
        stream.consume(end);
    }

    private static String hostForHeader(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private static String authority(String host, int port) {
        return hostForHeader(host) + ":" + port;
    }

    private static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
