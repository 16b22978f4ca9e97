package dev.viz.core.spi;

import java.util.ServiceLoader;
import java.util.function.ToIntFunction;

/** Finds the highest-priority provider of a kind on the class path. */
public final class Providers {
    private Providers() {
    }

    /** The provider of {@code type} with the highest priority, or null when none is registered. */
    public static <T> T best(Class<T> type, ToIntFunction<T> priority) {
        T best = null;
        for (T candidate : ServiceLoader.load(type, Providers.class.getClassLoader())) {
            if (best == null || priority.applyAsInt(candidate) > priority.applyAsInt(best)) {
                best = candidate;
            }
        }
        return best;
    }
}
