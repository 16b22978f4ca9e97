package dev.viz.transport.secure;

import dev.viz.core.Transport;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A test decorator between the secure layer and a real transport: records every datagram in both
 * directions, can rewrite received ones, and can inject datagrams as if they had arrived (from the
 * peer's address, which a test socket could not fake). Recording allocates; turn it off with
 * {@link #recording} where allocation is measured.
 */
final class TapTransport implements Transport {
    private final Transport inner;
    final List<byte[]> sent = new CopyOnWriteArrayList<>();
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    private final ArrayDeque<byte[]> injected = new ArrayDeque<>();
    volatile boolean recording = true;
    /** Datagrams the wrapped transport delivered (injected ones not included). */
    final java.util.concurrent.atomic.AtomicLong receivedCount = new java.util.concurrent.atomic.AtomicLong();
    /** Applied to each received datagram before the secure layer sees it; null to pass it as it is. */
    volatile UnaryOperator<byte[]> onReceive;

    TapTransport(Transport inner) {
        this.inner = inner;
    }

    synchronized void inject(byte[] datagram) {
        injected.add(datagram.clone());
    }

    @Override
    public String name() {
        return "tap " + inner.name();
    }

    @Override
    public void open(Events events) throws IOException {
        inner.open(events);
    }

    @Override
    public int maxPayloadBytes() {
        return inner.maxPayloadBytes();
    }

    @Override
    public boolean isReady() {
        return inner.isReady();
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (recording) {
            sent.add(Arrays.copyOfRange(buffer, offset, offset + length));
        }
        return inner.send(buffer, offset, length);
    }

    @Override
    public int reply(byte[] buffer, int offset, int length) {
        if (recording) {
            sent.add(Arrays.copyOfRange(buffer, offset, offset + length));
        }
        return inner.reply(buffer, offset, length);
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        byte[] next;
        synchronized (this) {
            next = injected.poll();
        }
        if (next != null) {
            System.arraycopy(next, 0, buffer, offset, next.length);
            return next.length;
        }
        int n = inner.receive(buffer, offset, capacity);
        if (n <= 0) {
            return n;
        }
        receivedCount.incrementAndGet();
        UnaryOperator<byte[]> rewrite = onReceive;
        if (recording || rewrite != null) {
            byte[] copy = Arrays.copyOfRange(buffer, offset, offset + n);
            if (recording) {
                received.add(copy);
            }
            if (rewrite != null) {
                byte[] changed = rewrite.apply(copy.clone());
                if (changed == null) {
                    return 0;
                }
                System.arraycopy(changed, 0, buffer, offset, changed.length);
                return changed.length;
            }
        }
        return n;
    }

    @Override
    public int doWork(long nowNs) {
        return inner.doWork(nowNs);
    }

    @Override
    public void acceptPeer() {
        inner.acceptPeer();
    }

    @Override
    public long lastSourceKey() {
        return inner.lastSourceKey();
    }

    @Override
    public long wireBytesSent() {
        return inner.wireBytesSent();
    }

    @Override
    public long wireBytesReceived() {
        return inner.wireBytesReceived();
    }

    @Override
    public String peer() {
        return inner.peer();
    }

    @Override
    public void close() {
        inner.close();
    }

    /** Datagrams of one type byte, in order. */
    static List<byte[]> ofType(List<byte[]> datagrams, int type) {
        return datagrams.stream().filter(d -> d.length > 0 && d[0] == type).toList();
    }
}
