package dev.viz.core.testing;

import java.util.function.LongSupplier;

/** A clock a test moves by hand: the time every simulated part reads. Single thread. */
public final class SimClock implements LongSupplier {
    private long nowNs;

    @Override
    public long getAsLong() {
        return nowNs;
    }

    public long nowNs() {
        return nowNs;
    }

    public void set(long nowNs) {
        this.nowNs = nowNs;
    }
}
