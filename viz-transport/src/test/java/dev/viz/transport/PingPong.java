package dev.viz.transport;

import dev.viz.core.Transport;

/**
 * Payloads back and forth between two transports driven as a network thread drives them (doWork,
 * send, receive), for the allocation tests: one payload each way at a time, each waited for.
 */
public final class PingPong {
    private PingPong() {
    }

    /** Sends {@code count} payloads each way; returns how many were lost (a 100 ms wait each at most). */
    public static int exchange(Transport a, Transport b, byte[] batch, byte[] buffer, int count) {
        int lost = 0;
        for (int i = 0; i < count; i++) {
            lost += oneWay(a, b, batch, buffer) ? 0 : 1;
            lost += oneWay(b, a, batch, buffer) ? 0 : 1;
        }
        return lost;
    }

    private static boolean oneWay(Transport from, Transport to, byte[] batch, byte[] buffer) {
        if (from.send(batch, 0, batch.length) != batch.length) {
            throw new AssertionError("send refused");
        }
        long deadline = System.nanoTime() + 100_000_000L;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            from.doWork(now);
            to.doWork(now);
            if (to.receive(buffer, 0, buffer.length) == batch.length) {
                return true;
            }
        }
        return false;
    }
}
