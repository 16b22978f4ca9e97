package dev.viz.transport.stream;

import dev.viz.core.Transport;
import dev.viz.transport.internal.ReadInterest;
import dev.viz.transport.stream.internal.Dialer;
import dev.viz.transport.stream.internal.FramedStream;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calling side of a stream carrier: datagrams over raw TCP (each behind a 2-byte length, as
 * RFC 4571 frames RTP) or over a WebSocket ({@code ws://}, or {@code wss://} with the JDK's TLS), one
 * datagram per binary message. For tunnels that carry TCP or HTTP(S) but not UDP. Wrap it in the
 * secure layer exactly as a {@link UdpTransport}: the tunnel sees only ciphertext.
 *
 * <pre>{@code
 * Transport t = SecureTransport.wrap(StreamTransport.webSocket(URI.create("wss://name.example/viz")).build())
 *         .identity(Identity.loadOrCreateDefault()).build();
 * }</pre>
 *
 * <p><b>A stream is not a datagram path.</b> Sending never blocks and never queues more than one
 * batch: when the socket cannot take a batch now, the older waiting batch is dropped and counted
 * ({@link #droppedBatches()}); see {@link FramedStream}. Dialling (connect, proxy, TLS, upgrade)
 * runs on a short-lived thread of its own; until it is done {@link #send} returns
 * {@link #NOT_READY} and keeps the last datagram, which goes out first once connected (a handshake
 * message then reaches the listener at once). A broken stream is redialled at once, then after
 * 0.25, 0.5 and every 1 s; the secure layer above resumes the call over the new stream.
 *
 * <p>Network thread only, except {@link #close()} and the counters. Nothing is allocated per
 * datagram on raw TCP or plain WebSocket; over TLS the JDK's engine allocates a little per record.
 */
public final class StreamTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(StreamTransport.class);
    /** A dial that has not finished in this time is abandoned and retried. */
    public static final long DIAL_TIMEOUT_NS = 10_000_000_000L;
    public static final long REDIAL_MAX_NS = 1_000_000_000L;
    /** A datagram kept while dialling goes out once connected only if it is not older than this. */
    public static final long PENDING_LIFETIME_NS = 2_000_000_000L;

    private final Dialer.Target target;
    private final SSLContext sslContext;
    private final Map<String, String> env;
    private final int maxPayloadBytes;
    private final String description;

    private Events events;
    private FramedStream stream;
    private final ReadInterest reads = new ReadInterest();
    private volatile FramedStream dialed;
    private volatile String dialFailure;
    private volatile Dialer dialer;
    private long dialStartedNs;
    private long nextDialNs;
    private long redialDelayNs;
    private boolean everConnected;
    private boolean reportedDown;
    private final byte[] pending;
    private int pendingLength;
    private long pendingSinceNs;
    private volatile long droppedBatches;
    private long droppedBatchesClosedStreams;
    private volatile long wireBytesSent;
    private volatile long wireBytesReceived;
    private long streamBytesSentBefore;
    private long streamBytesReceivedBefore;
    private volatile long connects;
    private volatile boolean closed;
    private String lastFailure;

    private StreamTransport(Builder b) {
        this.target = b.target;
        this.sslContext = b.sslContext;
        this.env = b.env;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.pending = new byte[maxPayloadBytes];
        this.description = (target.webSocket() ? (target.tls() ? "wss://" : "ws://") : "tcp://")
                + (target.host().indexOf(':') >= 0 ? "[" + target.host() + "]" : target.host()) + ":" + target.port()
                + (target.webSocket() ? target.path() : "");
    }

    /** Raw TCP to {@code host:port}, datagrams behind a 2-byte length. */
    public static Builder tcp(String host, int port) {
        return new Builder(new Dialer.Target(checkHost(host), checkPort(port), false, false, null));
    }

    /** A WebSocket at {@code ws://} or {@code wss://host[:port][/path]} (path default {@value #DEFAULT_PATH}). */
    public static Builder webSocket(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("'" + uri + "': a WebSocket address starts with ws:// or wss://");
        }
        boolean tls = scheme.equals("wss");
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? DEFAULT_PATH : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        return new Builder(new Dialer.Target(checkHost(uri.getHost()), checkPort(port), true, tls, path));
    }

    /** The path a Viz listener serves its WebSocket at. */
    public static final String DEFAULT_PATH = "/viz";

    private static String checkHost(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the address has no host");
        }
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + ": use 1 to 65535");
        }
        return port;
    }

    /** Configures a {@link StreamTransport}. Not thread-safe. */
    public static final class Builder {
        private final Dialer.Target target;
        private SSLContext sslContext;
        private Map<String, String> env = System.getenv();
        private int maxPayloadBytes = UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES;

        private Builder(Dialer.Target target) {
            this.target = target;
        }

        /** The TLS context for {@code wss} (default: the JDK's, which trusts its CA certificates). */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /** Where the proxy variables are read (default: {@link System#getenv()}). */
        public Builder environment(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /** The largest datagram (default {@value UdpTransport#DEFAULT_MAX_DATAGRAM_BYTES}, as for UDP). */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            if (maxPayloadBytes < UdpTransport.MIN_MAX_DATAGRAM_BYTES || maxPayloadBytes > 0xFFFF) {
                throw new IllegalArgumentException("datagram size limit " + maxPayloadBytes + ": use "
                        + UdpTransport.MIN_MAX_DATAGRAM_BYTES + " to 65535");
            }
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        public StreamTransport build() {
            if (target.tls() && sslContext == null) {
                try {
                    sslContext = SSLContext.getDefault();
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("this Java has no default TLS context", e);
                }
            }
            return new StreamTransport(this);
        }
    }

    @Override
    public String name() {
        return description;
    }

    /** Whether this carrier is a WebSocket (else raw TCP). */
    public boolean isWebSocket() {
        return target.webSocket();
    }

    @Override
    public void open(Events events) throws IOException {
        if (this.events != null) {
            throw new IllegalStateException("already open");
        }
        this.events = Objects.requireNonNull(events, "events");
        startDial(System.nanoTime());
        // Ready at once, as a calling UDP transport is: the peer's address is known, and what is sent
        // before the stream is up waits for it (the newest datagram only).
        events.onReady(description);
    }

    private void startDial(long nowNs) {
        Dialer d = new Dialer(target, sslContext, env, 5_000, maxPayloadBytes);
        dialer = d;
        dialStartedNs = nowNs;
        Thread t = new Thread(() -> {
            try {
                FramedStream s = d.dial();
                if (closed || dialer != d) {
                    s.close();
                } else {
                    dialed = s;
                }
            } catch (IOException | RuntimeException e) {
                dialFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
        }, "viz-dial " + description);
        t.setDaemon(true);
        t.start();
    }

    /** Takes a finished dial, redials a broken stream when its time comes. Returns work done. */
    private int poll(long nowNs) {
        if (closed) {
            return 0;
        }
        FramedStream s = dialed;
        if (s != null) {
            dialed = null;
            dialer = null;
            stream = s;
            connects++;
            redialDelayNs = 0;
            reportedDown = false;
            LOG.info("connected over {} to {}", target.webSocket() ? (target.tls() ? "WebSocket (TLS)" : "WebSocket")
                    : "TCP", description);
            if (everConnected) {
                events.onPeerMoved(description);
            }
            everConnected = true;
            if (pendingLength > 0 && nowNs - pendingSinceNs < PENDING_LIFETIME_NS) {
                write(pending, 0, pendingLength);
            }
            pendingLength = 0;
            return 1;
        }
        if (stream != null || dialer == null && nowNs - nextDialNs < 0) {
            return 0;
        }
        if (dialer != null) {
            String failure = dialFailure;
            if (failure != null) {
                dialFailure = null;
                dialer = null;
                if (!failure.equals(lastFailure)) {
                    LOG.warn("cannot reach {}: {}", description, failure);
                    lastFailure = failure;
                }
                scheduleRedial(nowNs);
                return 1;
            }
            if (nowNs - dialStartedNs > DIAL_TIMEOUT_NS) {
                dialer.abort();
                dialer = null;
                LOG.warn("dialling {} took over {} s: retrying", description, DIAL_TIMEOUT_NS / 1_000_000_000L);
                scheduleRedial(nowNs);
                return 1;
            }
            return 0;
        }
        startDial(nowNs);
        return 1;
    }

    private void scheduleRedial(long nowNs) {
        nextDialNs = nowNs + redialDelayNs;
        redialDelayNs = redialDelayNs == 0 ? 250_000_000L : Math.min(redialDelayNs * 2, REDIAL_MAX_NS);
    }

    private void broken(long nowNs) {
        FramedStream s = stream;
        stream = null;
        droppedBatchesClosedStreams += s.droppedBatches();
        streamBytesSentBefore += s.bytesWritten();
        streamBytesReceivedBefore += s.bytesRead();
        s.close();
        if (!reportedDown) {
            reportedDown = true;
            LOG.info("the stream to {} broke: redialling", description);
            events.onNotReady("the stream to " + description + " broke: redialling");
        }
        scheduleRedial(nowNs);
    }

    @Override
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    /** True until closed: the peer's address is known, as for a calling UDP transport. */
    @Override
    public boolean isReady() {
        return !closed;
    }

    /** Whether a stream is connected now. */
    public boolean isConnected() {
        return stream != null;
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (length > maxPayloadBytes) {
            return ERROR_TOO_LARGE;
        }
        if (closed) {
            return NOT_READY;
        }
        if (stream == null) {
            poll(System.nanoTime());
        }
        if (stream == null) {
            System.arraycopy(buffer, offset, pending, 0, length);
            pendingLength = length;
            pendingSinceNs = System.nanoTime();
            return NOT_READY;
        }
        return write(buffer, offset, length);
    }

    private int write(byte[] buffer, int offset, int length) {
        FramedStream s = stream;
        int status = s.writeFrame(buffer, offset, length);
        droppedBatches = droppedBatchesClosedStreams + s.droppedBatches();
        wireBytesSent = streamBytesSentBefore + s.bytesWritten();
        if (status == FramedStream.BROKEN) {
            broken(System.nanoTime());
            return ERROR_IO;
        }
        return status == FramedStream.TOO_LARGE ? ERROR_TOO_LARGE : length;
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        FramedStream s = stream;
        if (s == null || closed) {
            return 0;
        }
        long droppedBefore = s.droppedFrames();
        int n = s.readFrame(buffer, offset, capacity);
        wireBytesReceived = streamBytesReceivedBefore + s.bytesRead();
        for (long i = s.droppedFrames() - droppedBefore; i > 0; i--) {
            events.onRejected(Rejection.MALFORMED);
        }
        if (n < 0) {
            broken(System.nanoTime());
            return 0;
        }
        return n;
    }

    @Override
    public int doWork(long nowNs) {
        int work = poll(nowNs);
        FramedStream s = stream;
        if (s != null && s.hasPending()) {
            int status = s.flush();
            wireBytesSent = streamBytesSentBefore + s.bytesWritten();
            if (status < 0) {
                broken(nowNs);
            }
            work++;
        }
        return work;
    }

    /**
     * The connected socket, when nothing else can give this transport work: not while dialling or
     * over TLS (polled as before), nor with bytes held in either direction.
     */
    @Override
    public boolean registerReads(Selector selector) {
        FramedStream s = stream;
        return !closed && s != null && s.canWaitForReads()
                && reads.register((SelectableChannel) s.channel(), selector);
    }

    @Override
    public String peer() {
        return description;
    }

    /** Whole batches the sender dropped because the stream could not take them (every stream of this transport). */
    public long droppedBatches() {
        return droppedBatches;
    }

    /** Streams connected so far (1 for a call whose stream never broke). */
    public long connects() {
        return connects;
    }

    @Override
    public long wireBytesSent() {
        return wireBytesSent;
    }

    /** Always: a TCP stream, raw or under a WebSocket. */
    @Override
    public boolean isReliableStream() {
        return true;
    }

    @Override
    public long wireBytesReceived() {
        return wireBytesReceived;
    }

    @Override
    public void close() {
        closed = true;
        Dialer d = dialer;
        if (d != null) {
            d.abort();
        }
        FramedStream s = dialed;
        if (s != null) {
            s.close();
        }
        s = stream;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
