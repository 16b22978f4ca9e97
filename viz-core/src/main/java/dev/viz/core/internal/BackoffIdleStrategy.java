package dev.viz.core.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Spins a little, yields a little, then parks for a growing time up to a maximum: the network
 * thread's answer to "no work this time", as in Agrona's idle strategies. Single thread.
 */
final class BackoffIdleStrategy {
    private static final int MAX_YIELDS = 20;
    private final long minParkNs;
    private final long maxParkNs;
    private int yields;
    private long parkNs;

    BackoffIdleStrategy(long minParkNs, long maxParkNs) {
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    /** Call after each unit of work with how much was done. */
    void idle(int workCount) {
        if (workCount > 0) {
            yields = 0;
            parkNs = minParkNs;
            return;
        }
        if (yields < MAX_YIELDS) {
            yields++;
            Thread.yield();
            return;
        }
        LockSupport.parkNanos(parkNs);
        parkNs = Math.min(parkNs << 1, maxParkNs);
    }
}
