package dev.viz.core.internal;

import dev.viz.core.Stat;
import java.util.concurrent.atomic.AtomicLongArray;

/** The session's {@link Stat figures}: lock-free, allocation-free, written by any session thread. */
final class Counters {
    private final AtomicLongArray values = new AtomicLongArray(Stat.values().length);

    void increment(Stat stat) {
        values.getAndIncrement(stat.ordinal());
    }

    void add(Stat stat, long delta) {
        values.getAndAdd(stat.ordinal(), delta);
    }

    void set(Stat stat, long value) {
        values.setRelease(stat.ordinal(), value);
    }

    long get(Stat stat) {
        return values.get(stat.ordinal());
    }

    long[] snapshot() {
        long[] copy = new long[values.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = values.get(i);
        }
        return copy;
    }
}
