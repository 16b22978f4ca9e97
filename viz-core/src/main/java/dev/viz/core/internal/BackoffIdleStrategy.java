package dev.viz.core.internal;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Yields a few times, then parks for a time that doubles from {@code minParkNs} up to a ceiling,
 * as Agrona's {@code BackoffIdleStrategy} does. The ceiling is {@code busyMaxParkNs} while
 * {@code busy} says so (a connected call, where a parked thread delays what arrives) and
 * {@code quietMaxParkNs} otherwise (waiting for a peer, where nothing is due for a quarter second),
 * so an idle listener costs next to nothing. Work resets the backoff. Single thread; allocation-free.
 */
final class BackoffIdleStrategy implements IdleStrategy {
    /** Yields before the first park, for a thread whose work comes in bursts. */
    static final int DEFAULT_YIELDS = 10;
    private static final BooleanSupplier ALWAYS_BUSY = () -> true;

    private final int maxYields;
    private final long minParkNs;
    private final long busyMaxParkNs;
    private final long quietMaxParkNs;
    private final BooleanSupplier busy;
    private int yields;
    private long parkNs;

    /** Parks up to {@code maxParkNs} whatever the session does. */
    BackoffIdleStrategy(long minParkNs, long maxParkNs) {
        this(DEFAULT_YIELDS, minParkNs, maxParkNs, maxParkNs, ALWAYS_BUSY);
    }

    BackoffIdleStrategy(int maxYields, long minParkNs, long busyMaxParkNs, long quietMaxParkNs, BooleanSupplier busy) {
        if (minParkNs <= 0 || busyMaxParkNs < minParkNs || quietMaxParkNs < minParkNs) {
            throw new IllegalArgumentException("park times must be positive and min <= max");
        }
        this.maxYields = maxYields;
        this.minParkNs = minParkNs;
        this.busyMaxParkNs = busyMaxParkNs;
        this.quietMaxParkNs = quietMaxParkNs;
        this.busy = busy;
        this.parkNs = minParkNs;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
            return;
        }
        if (yields < maxYields) {
            yields++;
            Thread.yield();
            return;
        }
        LockSupport.parkNanos(parkNs);
        long max = busy.getAsBoolean() ? busyMaxParkNs : quietMaxParkNs;
        parkNs = Math.min(parkNs << 1, max);
    }

    @Override
    public void reset() {
        yields = 0;
        parkNs = minParkNs;
    }

    /** The park a further idle call would use (for tests). */
    long nextParkNs() {
        return parkNs;
    }
}
