package dev.viz.transport.udp;

import dev.viz.core.Transport;
import dev.viz.transport.internal.ReadInterest;
import dev.viz.transport.internal.SourceKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Objects;

/**
 * Plain UDP to one peer over a non-blocking {@link DatagramChannel}.
 *
 * <p>{@link #connect} sends to a known address and accepts datagrams only from it (the socket is
 * connected, so the kernel filters other sources and reports ICMP errors). Until the peer answers
 * (any datagram from it), the caller tells what happens through {@link Events}: an ICMP port
 * unreachable as a warning ({@code port unreachable: nothing listens on UDP HOST:PORT}), no answer
 * after {@value #NO_ANSWER_WARNING_MS} ms as a warning that names the usual causes, and no answer
 * within the connect timeout ({@link #withConnectTimeout}, {@link #DEFAULT_CONNECT_TIMEOUT} by
 * default) as a failure, after which it sends nothing more. The times are those given to
 * {@link #doWork}; the transport reads no clock.
 * {@link #listen} waits for the peer: it delivers datagrams from anyone until the session, having
 * found one valid, calls {@link #acceptPeer()}, which binds the transport to that datagram's source
 * (and later moves it there when the peer's NAT rebinds). Wrap it in the secure layer for a real
 * call: plain UDP is readable and forgeable by anyone on the path.
 *
 * <p>Network thread only, except {@link #close()}. Sending and receiving allocate nothing in steady
 * state: the byte arrays the session passes are wrapped once and reused.
 */
public final class UdpTransport implements Transport {
    /**
     * The largest UDP payload by default: 1200 bytes, the size QUIC assumes every path carries (RFC 9000
     * section 14). IPv6 guarantees 1232 (its minimum MTU, 1280, less 48 bytes of headers), and tunnels
     * that wrap in IPv6 or add their own header (WireGuard, PPPoE, VPNs) leave about that. A larger
     * default loses every audio datagram on a path with a smaller MTU whose routers' ICMP "packet too
     * big" is filtered (a path MTU black hole) while the small handshake gets through.
     */
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = 1200;
    /**
     * The smallest limit accepted: the same 1200 bytes. Below it a tunnel batch no longer holds its frames
     * at a usable bitrate, and a path that cannot carry 1200 bytes is not one QUIC, WebRTC or IPv6 would
     * run on either.
     */
    public static final int MIN_MAX_DATAGRAM_BYTES = 1200;
    public static final int MAX_MAX_DATAGRAM_BYTES = 65_507;
    private static final int SOCKET_BUFFER_BYTES = 1 << 20;
    /** A caller without an answer this long says so (once), naming the usual causes. */
    public static final long NO_ANSWER_WARNING_MS = 10_000;
    /** A caller gives up after this long without an answer unless {@link #withConnectTimeout} says otherwise. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final boolean listening;
    private final InetSocketAddress bindAddress;
    private final String host;
    private final int port;
    private final int maxDatagramBytes;
    private final long connectTimeoutNs;

    private DatagramChannel channel;
    private final ReadInterest reads = new ReadInterest();
    private Events events;
    private InetSocketAddress peer;
    private String peerText;
    private SocketAddress lastSource;
    private byte[] sendArray;
    private ByteBuffer sendView;
    private byte[] receiveArray;
    private ByteBuffer receiveView;
    private volatile long wireBytesSent;
    private volatile long wireBytesReceived;
    private volatile long portUnreachableCount;
    private volatile boolean closed;
    // Caller only, network thread: the wait for the first answer.
    private boolean answered;
    private boolean waitStarted;
    private long waitStartNs;
    private boolean warnedNoAnswer;
    private boolean unreachableReported;
    private volatile boolean gaveUp;

    private UdpTransport(boolean listening, InetSocketAddress bindAddress, String host, int port, int maxDatagramBytes,
            long connectTimeoutNs) {
        this.listening = listening;
        this.bindAddress = bindAddress;
        this.host = host;
        this.port = port;
        this.maxDatagramBytes = maxDatagramBytes;
        this.connectTimeoutNs = connectTimeoutNs;
    }

    /** Listens on {@code port} on every interface (0 picks a free port: see {@link #localPort()}). */
    public static UdpTransport listen(int port) {
        return listen(new InetSocketAddress(checkPort(port, true)), DEFAULT_MAX_DATAGRAM_BYTES);
    }

    /** Listens on {@code bindAddress} with a datagram size limit. */
    public static UdpTransport listen(InetSocketAddress bindAddress, int maxDatagramBytes) {
        Objects.requireNonNull(bindAddress, "bindAddress");
        return new UdpTransport(true, bindAddress, null, 0, checkLimit(maxDatagramBytes), 0);
    }

    /** Calls {@code host:port}; the name is resolved when the transport opens. */
    public static UdpTransport connect(String host, int port) {
        return connect(host, port, DEFAULT_MAX_DATAGRAM_BYTES);
    }

    /** Calls {@code host:port} with a datagram size limit. */
    public static UdpTransport connect(String host, int port, int maxDatagramBytes) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        return new UdpTransport(false, new InetSocketAddress(0), host, checkPort(port, false), checkLimit(maxDatagramBytes),
                DEFAULT_CONNECT_TIMEOUT.toNanos());
    }

    /**
     * This caller, not yet opened, giving up after {@code timeout} without any datagram from the
     * peer: it raises {@link Events#onFailed} (and sends nothing more). {@link Duration#ZERO} waits
     * for ever. Only for a transport made by {@link #connect}.
     *
     * @throws IllegalArgumentException for a negative timeout
     * @throws IllegalStateException for a listening transport
     */
    public UdpTransport withConnectTimeout(Duration timeout) {
        if (listening) {
            throw new IllegalStateException("a listening transport waits for its caller: no connect timeout");
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("connect timeout " + timeout + ": use zero (wait for ever) or more");
        }
        return new UdpTransport(false, bindAddress, host, port, maxDatagramBytes, timeout.toNanos());
    }

    /** The time this caller waits for a first answer before it gives up (zero: for ever); zero for a listener. */
    public Duration connectTimeout() {
        return Duration.ofNanos(connectTimeoutNs);
    }

    /**
     * Calls {@code HOST:PORT} ({@code [v6addr]:PORT} for IPv6 literals).
     *
     * @throws IllegalArgumentException with a message that shows the expected form
     */
    public static UdpTransport connect(String hostAndPort) {
        HostPort target = HostPort.parse(hostAndPort);
        return connect(target.host(), target.port());
    }

    /** A peer's address as the user wrote it: a host name or address literal, and a port. */
    public record HostPort(String host, int port) {
        /**
         * Parses {@code HOST:PORT} or {@code [v6addr]:PORT}.
         *
         * @throws IllegalArgumentException with a message that shows the expected form
         */
        public static HostPort parse(String hostAndPort) {
            String s = Objects.requireNonNull(hostAndPort, "hostAndPort").trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new IllegalArgumentException("'" + hostAndPort + "' is not HOST:PORT (for example example.net:8443)");
            }
            String h = s.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            } else if (h.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + hostAndPort + "': write an IPv6 address in brackets, as [::1]:8443");
            }
            int p;
            try {
                p = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + hostAndPort + "': the port must be a number from 1 to 65535");
            }
            return new HostPort(h, checkPort(p, false));
        }
    }

    private static int checkPort(int port, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 65_535) {
            throw new IllegalArgumentException("port " + port + ": use 1 to 65535");
        }
        return port;
    }

    private static int checkLimit(int maxDatagramBytes) {
        if (maxDatagramBytes < MIN_MAX_DATAGRAM_BYTES || maxDatagramBytes > MAX_MAX_DATAGRAM_BYTES) {
            throw new IllegalArgumentException("datagram size limit " + maxDatagramBytes + ": use "
                    + MIN_MAX_DATAGRAM_BYTES + " to " + MAX_MAX_DATAGRAM_BYTES);
        }
        return maxDatagramBytes;
    }

    @Override
    public String name() {
        return listening ? "udp listen " + bindAddress.getPort() : "udp connect " + host + ":" + port;
    }

    @Override
    public void open(Events events) throws IOException {
        if (channel != null) {
            throw new IllegalStateException("already open");
        }
        this.events = Objects.requireNonNull(events, "events");
        InetSocketAddress target = null;
        if (!listening) {
            target = new InetSocketAddress(host, port);
            if (target.isUnresolved()) {
                throw new IOException("cannot resolve host '" + host + "'");
            }
        }
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            ch.configureBlocking(false);
            ch.bind(bindAddress);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot bind UDP " + describe(bindAddress) + ": " + e.getMessage()
                    + (listening ? " (is another program using the port? choose another with -s PORT)" : ""), e);
        }
        if (target != null) {
            try {
                ch.connect(target); // so that ICMP errors (port unreachable) are reported to this socket
            } catch (IOException e) {
                ch.close();
                throw new IOException("cannot reach UDP " + target() + ": " + e.getMessage(), e);
            }
        }
        channel = ch;
        if (target != null) {
            setPeer(target);
            events.onReady(peerText);
        }
    }

    /** The address called, as the user wrote it: {@code HOST:PORT}, brackets around an IPv6 literal. */
    private String target() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String describe(InetSocketAddress a) {
        return a.getAddress() == null || a.getAddress().isAnyLocalAddress() ? ":" + a.getPort() : SocketAddressText.of(a);
    }

    /** The bound local port (after {@link #open}); useful with port 0. */
    public int localPort() {
        try {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("not open", e);
        }
    }

    @Override
    public int maxPayloadBytes() {
        return maxDatagramBytes;
    }

    @Override
    public boolean isReady() {
        return peer != null && !closed && !gaveUp;
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (length > maxDatagramBytes) {
            return ERROR_TOO_LARGE;
        }
        InetSocketAddress to = peer;
        if (to == null || closed || gaveUp) {
            return NOT_READY;
        }
        return sendTo(to, buffer, offset, length);
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        if (closed) {
            return 0;
        }
        if (buffer != receiveArray) {
            receiveArray = buffer;
            receiveView = ByteBuffer.wrap(buffer);
        }
        while (true) {
            receiveView.limit(offset + capacity).position(offset);
            SocketAddress source;
            try {
                source = channel.receive(receiveView);
            } catch (PortUnreachableException e) {
                portUnreachable();
                return 0;
            } catch (IOException | RuntimeException e) {
                // Another ICMP error from an earlier send, or a closed channel: nothing to deliver.
                return 0;
            }
            if (source == null) {
                return 0;
            }
            int length = receiveView.position() - offset;
            wireBytesReceived += length;
            if (!listening && !source.equals(peer)) {
                events.onRejected(Rejection.UNKNOWN_SOURCE);
                continue;
            }
            lastSource = source;
            answered = true;
            unreachableReported = false;
            return length;
        }
    }

    /**
     * Sends to the source of the last received datagram without making it the peer (the secure
     * layer answers handshakes this way).
     */
    @Override
    public int reply(byte[] buffer, int offset, int length) {
        if (length > maxDatagramBytes) {
            return ERROR_TOO_LARGE;
        }
        SocketAddress to = lastSource;
        if (to == null || closed) {
            return NOT_READY;
        }
        return sendTo(to, buffer, offset, length);
    }

    /** One datagram to {@code to}, through a view of {@code buffer} kept while the caller's array stays the same. */
    private int sendTo(SocketAddress to, byte[] buffer, int offset, int length) {
        if (buffer != sendArray) {
            sendArray = buffer;
            sendView = ByteBuffer.wrap(buffer);
        }
        sendView.limit(offset + length).position(offset);
        try {
            int sent = channel.send(sendView, to);
            if (sent != length) {
                return ERROR_IO;
            }
            wireBytesSent += sent;
            return sent;
        } catch (PortUnreachableException e) {
            portUnreachable(); // an ICMP error from an earlier datagram, reported on this send
            return ERROR_IO;
        } catch (IOException | RuntimeException e) {
            return ERROR_IO;
        }
    }

    /**
     * The kernel reported an ICMP port unreachable for a datagram this caller sent: said once until
     * the peer is heard from again.
     */
    private void portUnreachable() {
        portUnreachableCount++;
        if (!unreachableReported) {
            unreachableReported = true;
            events.onWarning("port unreachable: nothing listens on UDP " + target());
        }
    }

    /**
     * A caller's wait for its first answer: the warning after {@value #NO_ANSWER_WARNING_MS} ms and
     * the failure at the connect timeout, both measured from the first call.
     */
    @Override
    public int doWork(long nowNs) {
        if (listening || answered || gaveUp || closed) {
            return 0;
        }
        if (!waitStarted) {
            waitStarted = true;
            waitStartNs = nowNs;
            return 0;
        }
        long waitedNs = nowNs - waitStartNs;
        if (connectTimeoutNs > 0 && waitedNs >= connectTimeoutNs) {
            gaveUp = true;
            events.onFailed("no answer from " + target() + " after " + seconds(connectTimeoutNs) + ": "
                    + (portUnreachableCount > 0 ? "port unreachable: nothing listens on UDP " + target() + "; giving up"
                            : "is the listener running and is UDP " + port + " forwarded? Giving up."));
            return 1;
        }
        if (!warnedNoAnswer && waitedNs >= NO_ANSWER_WARNING_MS * 1_000_000L) {
            warnedNoAnswer = true;
            events.onWarning("no answer from " + target() + " after " + seconds(NO_ANSWER_WARNING_MS * 1_000_000L)
                    + ": is the listener running and is UDP " + port + " forwarded?");
            return 1;
        }
        return 0;
    }

    private static String seconds(long ns) {
        long ms = ns / 1_000_000L;
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** ICMP port unreachable errors this caller received (each means: nothing listened at the peer's port). Any thread. */
    public long portUnreachableCount() {
        return portUnreachableCount;
    }

    /** The last source's IPv4 address, or its IPv6 /64 prefix, as a non-zero number; 0 before any datagram. */
    @Override
    public long lastSourceKey() {
        if (!(lastSource instanceof InetSocketAddress source) || source.getAddress() == null) {
            return 0;
        }
        return SourceKeys.of(source.getAddress());
    }

    @Override
    public void acceptPeer() {
        if (listening && lastSource instanceof InetSocketAddress source && !source.equals(peer)) {
            boolean first = peer == null;
            setPeer(source);
            if (first) {
                events.onReady(peerText);
            } else {
                events.onPeerMoved(peerText);
            }
        }
    }

    private void setPeer(InetSocketAddress address) {
        peer = address;
        peerText = SocketAddressText.of(address);
    }

    /** Registers the socket: nothing reaches this transport but datagrams (and ICMP errors) on it. */
    @Override
    public boolean registerReads(Selector selector) {
        return !closed && reads.register(channel, selector);
    }

    @Override
    public String peer() {
        return peerText;
    }

    @Override
    public long wireBytesSent() {
        return wireBytesSent;
    }

    @Override
    public long wireBytesReceived() {
        return wireBytesReceived;
    }

    @Override
    public void close() {
        closed = true;
        DatagramChannel ch = channel;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing a datagram channel has nothing left to flush.
            }
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
