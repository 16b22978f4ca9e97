package dev.viz.transport.reach;

import dev.viz.core.Transport;
import dev.viz.transport.stream.StreamTransport;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.nio.channels.Selector;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls {@code host:port} over UDP first and, when nothing at all comes back within
 * {@link #DEFAULT_UDP_WAIT_MS} ms, over TCP to the same host and port (a {@link ListenTransport}
 * takes both on one port number). The datagram sent last over UDP (the secure layer's handshake
 * message) is sent again at once over TCP, so the switch costs no retry interval. Which carrier
 * answered is logged at INFO ("connected over UDP", "no answer over UDP ...: calling over TCP").
 * Once a carrier has answered the choice stays for the call.
 *
 * <p>Network thread only, except {@link #close()}.
 */
public final class FallbackTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(FallbackTransport.class);
    public static final long DEFAULT_UDP_WAIT_MS = 3_000;

    private final UdpTransport udp;
    private final StreamTransport tcp;
    private final long udpWaitNs;
    private final String target;
    private final byte[] last;
    private int lastLength;
    private Events events;
    private Transport active;
    private boolean decided;
    private long openedNs;
    private long connectTimeoutNs = UdpTransport.DEFAULT_CONNECT_TIMEOUT.toNanos();
    private boolean gaveUp;
    /** Written by the network thread when it falls back to TCP; read by any thread. */
    private volatile boolean onStream;

    public FallbackTransport(String host, int port, int maxPayloadBytes) {
        this(UdpTransport.connect(host, port, maxPayloadBytes),
                StreamTransport.tcp(host, port).maxPayloadBytes(maxPayloadBytes).build(),
                DEFAULT_UDP_WAIT_MS, host + ":" + port);
    }

    /** UDP first, then {@code tcp} after {@code udpWaitMs} without an answer. */
    public FallbackTransport(UdpTransport udp, StreamTransport tcp, long udpWaitMs, String target) {
        this.udp = Objects.requireNonNull(udp, "udp");
        this.tcp = Objects.requireNonNull(tcp, "tcp");
        this.udpWaitNs = udpWaitMs * 1_000_000L;
        this.target = target;
        this.last = new byte[udp.maxPayloadBytes()];
        this.active = udp;
    }

    /**
     * Gives up when neither carrier has answered within {@code timeout} ({@link java.time.Duration#ZERO}:
     * wait for ever): the transport then fails ({@link Events#onFailed}) with a message that says what
     * to check. Call before {@link #open}.
     */
    public FallbackTransport withConnectTimeout(java.time.Duration timeout) {
        connectTimeoutNs = timeout.toNanos();
        return this;
    }

    @Override
    public String name() {
        return active == udp && !decided ? "udp (then tcp) connect " + target
                : (active == udp ? "udp connect " : "tcp connect ") + target;
    }

    /** "udp" or "tcp": the carrier in use now. */
    public String carrier() {
        return active == udp ? "udp" : "tcp";
    }

    /** Whether a carrier has answered. */
    public boolean isDecided() {
        return decided;
    }

    /** The TCP carrier (for its counters), used only after the fallback. */
    public StreamTransport tcp() {
        return tcp;
    }

    @Override
    public void open(Events events) throws IOException {
        this.events = Objects.requireNonNull(events, "events");
        udp.open(events);
        openedNs = System.nanoTime();
        LOG.info("calling {} over UDP (over TCP to the same port if UDP gets no answer within {} s)", target,
                udpWaitNs / 1_000_000_000L);
    }

    @Override
    public int maxPayloadBytes() {
        return Math.min(udp.maxPayloadBytes(), tcp.maxPayloadBytes());
    }

    @Override
    public boolean isReady() {
        return active.isReady();
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (!decided && active == udp && length <= last.length) {
            System.arraycopy(buffer, offset, last, 0, length);
            lastLength = length;
        }
        return active.send(buffer, offset, length);
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        int n = active.receive(buffer, offset, capacity);
        if (n > 0 && !decided) {
            decided = true;
            LOG.info("connected over {} to {}", active == udp ? "UDP" : "TCP (no answer over UDP)", target);
        }
        return n;
    }

    @Override
    public int doWork(long nowNs) {
        if (!decided && !gaveUp && connectTimeoutNs > 0 && nowNs - openedNs >= connectTimeoutNs) {
            gaveUp = true;
            int port = target.substring(target.lastIndexOf(':') + 1).isEmpty() ? 0
                    : Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
            events.onFailed("no answer from " + target + " over UDP or TCP after "
                    + connectTimeoutNs / 1_000_000_000L + " s: is the listener running, and is port " + port
                    + " forwarded (UDP, or TCP through a tunnel)?");
            return 1;
        }
        if (!decided && active == udp && nowNs - openedNs >= udpWaitNs) {
            LOG.info("no answer over UDP from {} within {} s: calling over TCP", target, udpWaitNs / 1_000_000_000L);
            try {
                tcp.open(events);
            } catch (IOException e) {
                events.onWarning("cannot call " + target + " over TCP either: " + e.getMessage());
                decided = true;
                return 1;
            }
            active = tcp;
            onStream = true;
            udp.close();
            if (lastLength > 0) {
                tcp.send(last, 0, lastLength); // kept and sent as soon as the stream is up
            }
            return 1;
        }
        return active.doWork(nowNs);
    }

    @Override
    public void acceptPeer() {
        active.acceptPeer();
    }

    @Override
    public int reply(byte[] buffer, int offset, int length) {
        return active.reply(buffer, offset, length);
    }

    @Override
    public long lastSourceKey() {
        return active.lastSourceKey();
    }

    @Override
    public long wireBytesSent() {
        return udp.wireBytesSent() + tcp.wireBytesSent();
    }

    /** False over UDP; true once it fell back to TCP. */
    /** What the carrier in use answers; while UDP is tried, its wait for an answer is a timer in {@link #doWork}. */
    @Override
    public boolean registerReads(Selector selector) {
        return active.registerReads(selector);
    }

    @Override
    public boolean isReliableStream() {
        return onStream;
    }

    @Override
    public long wireBytesReceived() {
        return udp.wireBytesReceived() + tcp.wireBytesReceived();
    }

    @Override
    public String peer() {
        return active == udp ? udp.peer() : tcp.peer();
    }

    @Override
    public void close() {
        udp.close();
        tcp.close();
    }

    @Override
    public String toString() {
        return name();
    }
}
