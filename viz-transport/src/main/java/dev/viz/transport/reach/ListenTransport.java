package dev.viz.transport.reach;

import dev.viz.core.Transport;
import dev.viz.transport.internal.ReadInterest;
import dev.viz.transport.internal.SourceKeys;
import dev.viz.transport.stream.StreamTransport;
import dev.viz.transport.stream.internal.FramedStream;
import dev.viz.transport.stream.internal.HttpHead;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening side on one port number for every carrier: UDP, and on TCP both raw
 * length-prefixed streams and WebSockets (at {@value StreamTransport#DEFAULT_PATH}), told apart by
 * the first bytes. The first peer that the session (the secure layer) accepts, from any of them,
 * becomes the peer; a valid datagram later from another source moves the call there (a caller that
 * redialled its stream, or came back over UDP).
 *
 * <p><b>Telling streams apart.</b> An HTTP request starts with an upper-case method name; a raw
 * stream starts with a 2-byte length, and every length Viz sends is under {@code 0x4100} ("A" as
 * the first byte would mean 16,640 bytes or more), so the first byte decides: {@code A}-{@code Z}
 * is HTTP, anything else raw. HTTP is then read up to {@value HttpHead#MAX_HEAD_BYTES} bytes:
 * a WebSocket upgrade at the path becomes a stream of binary messages; {@code GET /} gets a short
 * text page (what this is, how to call it, the listener's public key fingerprint when given);
 * anything else gets 400, 404, 405, 426 or 431 and is closed.
 *
 * <p><b>Bad input.</b> At most {@value #MAX_CONNECTIONS} connections besides the peer's are kept:
 * a new one pushes out the oldest. A connection that has not finished its request head within
 * {@value #HEAD_TIMEOUT_MS} ms (a slow client) or has sent no frame for {@value #IDLE_TIMEOUT_MS} ms
 * is closed. An oversized frame or a bad WebSocket header closes its connection; a text message is
 * skipped. Each is counted ({@link #stat}) and reported as a rejected datagram; none touches the
 * peer's connection, and no thread is used per connection: all sockets are non-blocking and served
 * by the session's network thread.
 *
 * <p>Network thread only, except {@link #close()} and the counters.
 */
public final class ListenTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(ListenTransport.class);

    public static final int MAX_CONNECTIONS = 64;
    public static final long HEAD_TIMEOUT_MS = 5_000;
    public static final long IDLE_TIMEOUT_MS = 15_000;
    private static final int ACCEPTS_PER_POLL = 32;

    /** Counters, read with {@link #stat}. */
    public enum Stat {
        /** TCP connections accepted. */
        CONNECTIONS_ACCEPTED,
        /** Connections closed for bad input: garbage, bad or other HTTP, oversized frames, over the limit. */
        CONNECTIONS_REFUSED,
        /** Connections closed because they were too slow to start or went idle. */
        CONNECTIONS_TIMED_OUT,
        /** WebSocket upgrades accepted. */
        WEBSOCKETS_OPENED,
        /** Raw length-prefixed streams recognised. */
        RAW_STREAMS_OPENED,
        /** {@code GET /} pages served. */
        PAGES_SERVED,
        /** Frames skipped: text or fragmented WebSocket messages, empty frames. */
        FRAMES_DROPPED,
        /** Batches the sender dropped because the peer's stream could not take them. */
        BATCHES_DROPPED
    }

    private final int port;
    private final InetAddress bindAddress;
    private final boolean udpEnabled;
    private final boolean rawEnabled;
    private final boolean webSocketEnabled;
    private final String webSocketPath;
    private final java.util.function.Supplier<String> fingerprint;
    private final int maxPayloadBytes;

    private Events events;
    private UdpTransport udp;
    private ServerSocketChannel server;
    private Selector selector;
    private SelectionKey serverKey;
    private final ReadInterest serverAccepts = new ReadInterest();
    private final List<Connection> connections = new ArrayList<>();
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private final AtomicLongArray stats = new AtomicLongArray(Stat.values().length);
    private boolean accepting;

    /** The source of the datagram received last, and the peer: {@link #UDP}, a {@link Connection}, or null. */
    private Object lastSource;
    private Object peer;
    private String peerText;
    private long lastTimersNs;
    private long droppedBatchesClosed;
    private volatile boolean closed;
    private static final Object UDP = new Object();

    /** One accepted TCP connection. */
    private static final class Connection {
        final FramedStream stream;
        final SelectionKey key;
        final String remote;
        final long sourceKey;
        final ReadInterest reads = new ReadInterest();
        long deadlineNs;
        boolean readable = true;

        Connection(FramedStream stream, SelectionKey key, String remote, long sourceKey, long deadlineNs) {
            this.stream = stream;
            this.key = key;
            this.remote = remote;
            this.sourceKey = sourceKey;
            this.deadlineNs = deadlineNs;
        }

        String describe() {
            return (stream.framing() == FramedStream.Framing.WEBSOCKET_SERVER ? "ws " : "tcp ") + remote;
        }
    }

    private ListenTransport(Builder b) {
        this.port = b.port;
        this.bindAddress = b.bindAddress;
        this.udpEnabled = b.udp;
        this.rawEnabled = b.rawTcp;
        this.webSocketEnabled = b.webSocket;
        this.webSocketPath = b.webSocketPath;
        this.fingerprint = b.fingerprint;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.peerOnStream = !b.udp;
    }

    /** Listens on {@code port} (0: a free one, the same number for UDP and TCP) for every carrier. */
    public static Builder on(int port) {
        return new Builder(port);
    }

    /** Configures a {@link ListenTransport}. Not thread-safe. */
    public static final class Builder {
        private final int port;
        private InetAddress bindAddress;
        private boolean udp = true;
        private boolean rawTcp = true;
        private boolean webSocket = true;
        private String webSocketPath = StreamTransport.DEFAULT_PATH;
        private java.util.function.Supplier<String> fingerprint = () -> null;
        private int maxPayloadBytes = UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES;

        private Builder(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + ": use 1 to 65535");
            }
            this.port = port;
        }

        /** Listen on this address only (default: every interface). */
        public Builder bindAddress(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        /** Accept UDP (default true). */
        public Builder udp(boolean enabled) {
            this.udp = enabled;
            return this;
        }

        /** Accept raw TCP streams with 2-byte lengths (default true). */
        public Builder rawTcp(boolean enabled) {
            this.rawTcp = enabled;
            return this;
        }

        /** Accept WebSockets (default true). */
        public Builder webSocket(boolean enabled) {
            this.webSocket = enabled;
            return this;
        }

        /** The WebSocket path (default {@value StreamTransport#DEFAULT_PATH}). */
        public Builder webSocketPath(String path) {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("a WebSocket path starts with /");
            }
            this.webSocketPath = path;
            return this;
        }

        /** The public key fingerprint the {@code GET /} page shows (default: none). */
        public Builder fingerprint(String fingerprint) {
            return fingerprint(() -> fingerprint);
        }

        /** Where the {@code GET /} page takes the fingerprint from, when a page is asked for. */
        public Builder fingerprint(java.util.function.Supplier<String> fingerprint) {
            this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
            return this;
        }

        /** The largest datagram (default {@value UdpTransport#DEFAULT_MAX_DATAGRAM_BYTES}). */
        public Builder maxPayloadBytes(int maxPayloadBytes) {
            if (maxPayloadBytes < UdpTransport.MIN_MAX_DATAGRAM_BYTES || maxPayloadBytes > 0x4000) {
                throw new IllegalArgumentException("datagram size limit " + maxPayloadBytes + ": use "
                        + UdpTransport.MIN_MAX_DATAGRAM_BYTES + " to 16384 when listening on TCP too");
            }
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        public ListenTransport build() {
            if (!udp && !rawTcp && !webSocket) {
                throw new IllegalArgumentException("turn on at least one of udp, tcp and ws");
            }
            return new ListenTransport(this);
        }
    }

    @Override
    public String name() {
        StringBuilder s = new StringBuilder("listen ");
        s.append(udpEnabled ? "udp" : "");
        s.append(rawEnabled ? (udpEnabled ? "+tcp" : "tcp") : "");
        s.append(webSocketEnabled ? (udpEnabled || rawEnabled ? "+ws" : "ws") : "");
        return s.append(' ').append(server != null ? localPort() : port).toString();
    }

    @Override
    public void open(Events events) throws IOException {
        if (this.events != null) {
            throw new IllegalStateException("already open");
        }
        this.events = Objects.requireNonNull(events, "events");
        boolean tcp = rawEnabled || webSocketEnabled;
        IOException last = null;
        for (int attempt = 0; attempt < (port == 0 ? 5 : 1); attempt++) {
            try {
                bind(tcp);
                return;
            } catch (IOException e) {
                last = e;
                closeSockets();
            }
        }
        throw last;
    }

    private void bind(boolean tcp) throws IOException {
        int p = port;
        if (udpEnabled) {
            udp = UdpTransport.listen(new InetSocketAddress(bindAddress, p), maxPayloadBytes);
            udp.open(new UdpEvents());
            p = udp.localPort();
        }
        if (tcp) {
            selector = Selector.open();
            ServerSocketChannel s = ServerSocketChannel.open();
            server = s;
            try {
                s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                s.bind(new InetSocketAddress(bindAddress, p), 128);
            } catch (IOException e) {
                throw new IOException("cannot listen on TCP port " + p + ": " + e.getMessage()
                        + (port != 0 ? " (is another program using it? choose another with -s PORT)" : ""), e);
            }
            s.configureBlocking(false);
            serverKey = s.register(selector, SelectionKey.OP_ACCEPT);
            accepting = true;
        }
    }

    /** The port listened on (UDP and TCP), after {@link #open}. */
    public int localPort() {
        if (udp != null) {
            return udp.localPort();
        }
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("not open", e);
        }
    }

    @Override
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    @Override
    public boolean isReady() {
        return peer != null && !closed;
    }

    // ---- sending ---------------------------------------------------------------------------------

    @Override
    public int send(byte[] buffer, int offset, int length) {
        return sendTo(peer, buffer, offset, length);
    }

    @Override
    public int reply(byte[] buffer, int offset, int length) {
        return sendTo(lastSource, buffer, offset, length);
    }

    private int sendTo(Object to, byte[] buffer, int offset, int length) {
        if (length > maxPayloadBytes) {
            return ERROR_TOO_LARGE;
        }
        if (to == null || closed) {
            return NOT_READY;
        }
        if (to == UDP) {
            return to == peer ? udp.send(buffer, offset, length) : udp.reply(buffer, offset, length);
        }
        Connection c = (Connection) to;
        int status = c.stream.writeFrame(buffer, offset, length);
        if (status < 0) {
            drop(c, null);
            return ERROR_IO;
        }
        if (c == peer) {
            stats.set(Stat.BATCHES_DROPPED.ordinal(), droppedBatchesClosed + c.stream.droppedBatches());
        }
        return length;
    }

    // ---- receiving -------------------------------------------------------------------------------

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        if (closed) {
            return 0;
        }
        if (peer instanceof Connection c) {
            int n = read(c, buffer, offset, capacity);
            if (n > 0) {
                return n;
            }
        }
        if (udp != null) {
            int n = udp.receive(buffer, offset, capacity);
            if (n > 0) {
                lastSource = UDP;
                return n;
            }
        }
        for (int i = 0; i < connections.size(); i++) {
            Connection c = connections.get(i);
            if (c.readable && c != peer && c.stream.framing() != null) {
                int n = read(c, buffer, offset, capacity);
                if (n > 0) {
                    return n;
                }
            }
        }
        return 0;
    }

    /**
     * The UDP socket, the TCP server socket (for accepts) and every connection's socket, unless a
     * connection holds bytes read and not yet handled or bytes not yet written (then this listener is
     * polled). The start-up and idle deadlines of connections are timers in {@link #doWork}.
     */
    @Override
    public boolean registerReads(Selector selector) {
        if (closed || udp != null && !udp.registerReads(selector)
                || accepting && !serverAccepts.register(server, selector)) {
            return false;
        }
        for (int i = 0; i < connections.size(); i++) {
            Connection c = connections.get(i);
            if (!c.stream.canWaitForReads() || !c.reads.register((SelectableChannel) c.stream.channel(), selector)) {
                return false;
            }
        }
        return true;
    }

    /** Accepts connections and reads the first bytes of new ones (selector, without blocking). */
    private int serviceConnections() {
        if (!accepting) {
            return 0;
        }
        try {
            selector.selectNow(onSelected);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        int work = 0;
        for (int i = connections.size() - 1; i >= 0 && i < connections.size(); i--) {
            Connection c = connections.get(i);
            if (c.readable && c.stream.framing() == null) {
                identify(c);
                work++;
            }
        }
        return work;
    }

    private void onSelected(SelectionKey key) {
        if (key == serverKey) {
            accept();
        } else if (key.attachment() instanceof Connection c) {
            c.readable = true;
        }
    }

    private void accept() {
        for (int i = 0; i < ACCEPTS_PER_POLL; i++) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return;
            }
            if (ch == null) {
                return;
            }
            stats.incrementAndGet(Stat.CONNECTIONS_ACCEPTED.ordinal());
            if (connections.size() - (peer instanceof Connection ? 1 : 0) >= MAX_CONNECTIONS) {
                for (Connection c : connections) {
                    if (c != peer) {
                        drop(c, Stat.CONNECTIONS_REFUSED);
                        break;
                    }
                }
            }
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, dev.viz.transport.stream.internal.Dialer.SEND_BUFFER_BYTES);
                InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
                SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
                Connection c = new Connection(new FramedStream(ch, null, null, maxPayloadBytes), key,
                        remote.getAddress().getHostAddress() + ":" + remote.getPort(), SourceKeys.of(remote.getAddress()),
                        System.nanoTime() + HEAD_TIMEOUT_MS * 1_000_000L);
                key.attach(c);
                connections.add(c);
            } catch (IOException | RuntimeException e) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    /** Reads the first bytes of a new connection: an HTTP head, or the start of raw frames. */
    private void identify(Connection c) {
        int n = c.stream.fill();
        if (n < 0) {
            drop(c, null);
            return;
        }
        c.readable = false;
        if (c.stream.buffered() == 0) {
            return;
        }
        byte first = c.stream.bufferedByte(0);
        if (first >= 'A' && first <= 'Z') {
            if (!onHttp(c)) {
                return;
            }
        } else if (rawEnabled) {
            c.stream.framing(FramedStream.Framing.LENGTH_PREFIXED);
            stats.incrementAndGet(Stat.RAW_STREAMS_OPENED.ordinal());
        } else {
            drop(c, Stat.CONNECTIONS_REFUSED);
            return;
        }
        c.deadlineNs = System.nanoTime() + IDLE_TIMEOUT_MS * 1_000_000L;
        c.readable = true; // frames may have come with the first bytes
    }

    /** Handles a request head; true when the connection now carries WebSocket frames. */
    private boolean onHttp(Connection c) {
        FramedStream s = c.stream;
        int start = s.bufferStart();
        int end = HttpHead.headEnd(s.bufferArray(), start, start + Math.min(s.buffered(), HttpHead.MAX_HEAD_BYTES));
        if (end < 0) {
            if (s.buffered() >= HttpHead.MAX_HEAD_BYTES) {
                respond(c, "431 Request Header Fields Too Large", "", Stat.CONNECTIONS_REFUSED);
            }
            return false; // wait for the rest, until the head deadline
        }
        HttpHead head = HttpHead.parseRequest(s.bufferArray(), start, end);
        if (head == null) {
            respond(c, "400 Bad Request", "", Stat.CONNECTIONS_REFUSED);
            return false;
        }
        String path = head.path();
        if (webSocketEnabled && path.equals(webSocketPath) && head.isWebSocketUpgrade()) {
            if (!"13".equals(head.webSocketVersion)) {
                respond(c, "426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n", Stat.CONNECTIONS_REFUSED);
                return false;
            }
            s.consume(end - start);
            byte[] response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + HttpHead.acceptFor(head.webSocketKey) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            s.framing(FramedStream.Framing.WEBSOCKET_SERVER);
            if (!s.writeRaw(response)) {
                drop(c, null);
                return false;
            }
            stats.incrementAndGet(Stat.WEBSOCKETS_OPENED.ordinal());
            return true;
        }
        if (("GET".equals(head.method) || "HEAD".equals(head.method)) && path.equals("/")) {
            stats.incrementAndGet(Stat.PAGES_SERVED.ordinal());
            byte[] page = page().getBytes(StandardCharsets.UTF_8);
            String headers = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                    + page.length + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
            byte[] h = headers.getBytes(StandardCharsets.US_ASCII);
            byte[] all = new byte["HEAD".equals(head.method) ? h.length : h.length + page.length];
            System.arraycopy(h, 0, all, 0, h.length);
            if (all.length > h.length) {
                System.arraycopy(page, 0, all, h.length, page.length);
            }
            s.writeRaw(all);
            drop(c, null);
            return false;
        }
        respond(c, "GET".equals(head.method) || "HEAD".equals(head.method) ? "404 Not Found" : "405 Method Not Allowed",
                "", Stat.CONNECTIONS_REFUSED);
        return false;
    }

    /** The {@code GET /} page: what this is and how to call it; no secrets. */
    String page() {
        StringBuilder p = new StringBuilder();
        p.append("Viz: an end-to-end encrypted voice call endpoint.\n\n");
        p.append("This port takes calls from the viz program (its docs/tunnels.md says how to reach it through a tunnel)\n");
        p.append("over UDP, raw TCP and WebSocket").append(webSocketEnabled ? " (path " + webSocketPath + ")" : "")
                .append(". Everything said is encrypted between the two callers;\n");
        p.append("this server and any tunnel in front of it see only ciphertext.\n\n");
        p.append("To call it:\n");
        p.append("  viz -c https://THIS-HOST/          through an HTTPS tunnel (WebSocket at ").append(webSocketPath)
                .append(")\n");
        p.append("  viz -c THIS-HOST:PORT              directly (UDP first, then TCP)\n");
        p.append("  viz -c tcp://THIS-HOST:PORT        through a TCP-only tunnel\n");
        String key = fingerprint.get();
        if (key != null) {
            p.append("\nThe listener's public key fingerprint: ").append(key).append('\n');
            p.append("Pin it with:  viz -c ADDRESS --peer-key ").append(key).append('\n');
        }
        return p.toString();
    }

    private void respond(Connection c, String status, String extraHeaders, Stat why) {
        c.stream.writeRaw(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\n" + extraHeaders + "Connection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        drop(c, why);
    }

    /** Reads one frame from a carrying connection: its length, or 0. */
    private int read(Connection c, byte[] buffer, int offset, int capacity) {
        FramedStream s = c.stream;
        long droppedBefore = s.droppedFrames();
        int n = s.readFrame(buffer, offset, capacity);
        long dropped = s.droppedFrames() - droppedBefore;
        if (dropped > 0) {
            stats.addAndGet(Stat.FRAMES_DROPPED.ordinal(), dropped);
            for (long i = 0; i < dropped; i++) {
                events.onRejected(Rejection.MALFORMED);
            }
        }
        if (n < 0) {
            drop(c, dropped > 0 ? Stat.CONNECTIONS_REFUSED : null);
            return 0;
        }
        if (n == 0) {
            c.readable = false;
            return 0;
        }
        c.readable = true;
        if (c != peer) {
            c.deadlineNs = System.nanoTime() + IDLE_TIMEOUT_MS * 1_000_000L;
        }
        lastSource = c;
        return n;
    }

    private void drop(Connection c, Stat why) {
        if (why != null) {
            stats.incrementAndGet(why.ordinal());
            events.onRejected(Rejection.MALFORMED);
        }
        c.stream.close();
        c.key.cancel();
        connections.remove(c);
        if (lastSource == c) {
            lastSource = null;
        }
        if (peer == c) {
            retire(c);
            peer = null;
            LOG.info("the peer's stream ({}) closed; waiting for it to come back", c.describe());
            events.onNotReady("the peer's stream closed");
        }
    }

    @Override
    public long lastSourceKey() {
        Object s = lastSource;
        if (s == UDP) {
            return udp.lastSourceKey();
        }
        return s instanceof Connection c ? c.sourceKey : 0;
    }

    @Override
    public void acceptPeer() {
        Object s = lastSource;
        if (s == null || s == peer && s != UDP) {
            return;
        }
        String before = peerText;
        if (s == UDP) {
            udp.acceptPeer();
            if (peer == UDP && Objects.equals(before, udp.peer())) {
                return;
            }
            demotePeer();
            peer = UDP;
            peerText = udp.peer();
        } else {
            Connection c = (Connection) s;
            demotePeer();
            peer = c;
            peerText = c.describe();
            c.key.interestOps(0); // read directly in receive(), not through the selector
        }
        carrier = carrierOf(peer);
        peerOnStream = peer != UDP;
        if (before == null) {
            events.onReady(peerText);
        } else {
            events.onPeerMoved(peerText);
        }
    }

    /** The peer's stream stops being the peer's: its figures go into the totals. */
    private void retire(Connection old) {
        droppedBatchesClosed += old.stream.droppedBatches();
        streamBytesSent += old.stream.bytesWritten();
        streamBytesReceived += old.stream.bytesRead();
    }

    private void demotePeer() {
        if (peer instanceof Connection old) {
            retire(old);
            old.deadlineNs = System.nanoTime() + IDLE_TIMEOUT_MS * 1_000_000L;
            if (old.key.isValid()) {
                old.key.interestOps(SelectionKey.OP_READ);
            }
        }
    }

    @Override
    public int doWork(long nowNs) {
        int work = serviceConnections();
        if (peer instanceof Connection c && c.stream.hasPending()) {
            if (c.stream.flush() < 0) {
                drop(c, null);
            }
            work++;
        }
        if (nowNs - lastTimersNs >= 100_000_000L) {
            lastTimersNs = nowNs;
            for (int i = connections.size() - 1; i >= 0; i--) {
                Connection c = connections.get(i);
                if (c != peer) {
                    if (c.stream.hasPending()) {
                        c.stream.flush();
                    }
                    if (nowNs - c.deadlineNs > 0) {
                        drop(c, Stat.CONNECTIONS_TIMED_OUT);
                        work++;
                    }
                }
            }
        }
        return work;
    }

    @Override
    public String peer() {
        return peerText;
    }

    /** Which carrier the peer uses, or used last: "udp", "tcp", "ws", or null before the first peer. */
    public String carrier() {
        return carrier;
    }

    private volatile String carrier;
    /** Whether the peer's carrier is a stream; before the first peer, whether streams are all it takes. */
    private volatile boolean peerOnStream;

    /**
     * True when the peer calls over raw TCP or a WebSocket, false over UDP; before the first peer,
     * true only when the listener takes no UDP. Follows the peer when it moves to another carrier.
     */
    @Override
    public boolean isReliableStream() {
        return peerOnStream;
    }

    private static String carrierOf(Object p) {
        if (p == UDP) {
            return "udp";
        }
        return p instanceof Connection c ? (c.stream.framing() == FramedStream.Framing.WEBSOCKET_SERVER ? "ws" : "tcp")
                : null;
    }

    /** A counter; may be read from any thread. */
    public long stat(Stat stat) {
        return stats.get(stat.ordinal());
    }

    /** TCP connections held open now besides none (for tests: bounded by {@link #MAX_CONNECTIONS} plus the peer's). */
    public int openConnections() {
        return connections.size();
    }

    @Override
    public long wireBytesSent() {
        long n = udp == null ? 0 : udp.wireBytesSent();
        return n + streamBytes(true);
    }

    @Override
    public long wireBytesReceived() {
        long n = udp == null ? 0 : udp.wireBytesReceived();
        return n + streamBytes(false);
    }

    private volatile long streamBytesSent;
    private volatile long streamBytesReceived;

    private long streamBytes(boolean sent) {
        Object p = peer;
        if (p instanceof Connection c) {
            return sent ? streamBytesSent + c.stream.bytesWritten() : streamBytesReceived + c.stream.bytesRead();
        }
        return sent ? streamBytesSent : streamBytesReceived;
    }

    @Override
    public void close() {
        closed = true;
        closeSockets();
    }

    private void closeSockets() {
        accepting = false;
        if (udp != null) {
            udp.close();
            udp = null;
        }
        try {
            if (server != null) {
                server.close();
                server = null;
            }
        } catch (IOException ignored) {
            // nothing to flush
        }
        try {
            for (Connection c : connections.toArray(new Connection[0])) {
                c.stream.close();
            }
        } catch (RuntimeException ignored) {
            // closed from another thread while the network thread changed the list: the sockets close with the selector
        }
        try {
            if (selector != null) {
                selector.close();
                selector = null;
            }
        } catch (IOException ignored) {
            // nothing to flush
        }
    }

    @Override
    public String toString() {
        return name();
    }

    /** Forwards what the UDP side rejects; the rest this transport reports itself. */
    private final class UdpEvents implements Events {
        @Override
        public void onRejected(Rejection why) {
            events.onRejected(why);
        }
    }
}
