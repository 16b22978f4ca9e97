package dev.viz.transport.loopback;

import dev.viz.core.Transport;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jctools.queues.SpscArrayQueue;

/**
 * Two transports joined in memory, for tests and examples that need no sockets: what one sends,
 * the other receives, in order, with nothing lost unless a direction's queue is full.
 *
 * <p>Each direction is a ring of pre-allocated datagram slots handed through two SPSC queues, so
 * sending and receiving allocate nothing. One thread sends on a transport and one thread
 * (normally the other session's network thread) receives from its twin.
 */
public final class LoopbackTransport implements Transport {
    /** Datagrams in flight per direction. */
    public static final int CAPACITY = 256;

    private final String name;
    private final int maxPayloadBytes;
    private final Direction outbound;
    private final Direction inbound;
    private final AtomicBoolean closed;
    private Events events;
    private volatile boolean open;
    private volatile long wireBytesSent;
    private volatile long wireBytesReceived;

    private LoopbackTransport(String name, int maxPayloadBytes, Direction outbound, Direction inbound,
            AtomicBoolean closed) {
        this.name = name;
        this.maxPayloadBytes = maxPayloadBytes;
        this.outbound = outbound;
        this.inbound = inbound;
        this.closed = closed;
    }

    /** A connected pair with the default 1400-byte payload limit. */
    public static LoopbackTransport[] pair() {
        return pair(1400);
    }

    /** A connected pair: element 0 is "a", element 1 is "b". */
    public static LoopbackTransport[] pair(int maxPayloadBytes) {
        Direction aToB = new Direction(maxPayloadBytes);
        Direction bToA = new Direction(maxPayloadBytes);
        AtomicBoolean closed = new AtomicBoolean();
        return new LoopbackTransport[] {
            new LoopbackTransport("loopback a", maxPayloadBytes, aToB, bToA, closed),
            new LoopbackTransport("loopback b", maxPayloadBytes, bToA, aToB, closed),
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open(Events events) {
        this.events = events;
        this.open = true;
        events.onReady(peer());
    }

    @Override
    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    @Override
    public boolean isReady() {
        return open && !closed.get();
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (length > maxPayloadBytes) {
            return ERROR_TOO_LARGE;
        }
        if (!isReady()) {
            return NOT_READY;
        }
        byte[] slot = outbound.free.poll();
        if (slot == null) {
            return ERROR_IO;
        }
        System.arraycopy(buffer, offset, slot, 2, length);
        slot[0] = (byte) (length >>> 8);
        slot[1] = (byte) length;
        outbound.filled.offer(slot);
        wireBytesSent += length;
        return length;
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        byte[] slot = inbound.filled.poll();
        if (slot == null) {
            return 0;
        }
        int length = ((slot[0] & 0xFF) << 8) | (slot[1] & 0xFF);
        int copied = Math.min(length, capacity);
        System.arraycopy(slot, 2, buffer, offset, copied);
        inbound.free.offer(slot);
        wireBytesReceived += length;
        return copied;
    }

    @Override
    public String peer() {
        return name.endsWith("a") ? "loopback b" : "loopback a";
    }

    @Override
    public long wireBytesSent() {
        return wireBytesSent;
    }

    @Override
    public long wireBytesReceived() {
        return wireBytesReceived;
    }

    /** Closes both ends: a loopback pair lives and dies together. */
    @Override
    public void close() {
        closed.set(true);
    }

    private static final class Direction {
        final SpscArrayQueue<byte[]> free = new SpscArrayQueue<>(CAPACITY);
        final SpscArrayQueue<byte[]> filled = new SpscArrayQueue<>(CAPACITY);

        Direction(int maxPayloadBytes) {
            for (int i = 0; i < CAPACITY; i++) {
                free.offer(new byte[maxPayloadBytes + 2]);
            }
        }
    }
}
