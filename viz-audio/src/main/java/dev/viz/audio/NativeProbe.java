package dev.viz.audio;

import java.io.IOException;
import java.util.Objects;

/**
 * An optional native part (PortAudio, Java Sound, libopus) probed once, in the manner of Netty's
 * {@code Epoll}: {@link #isAvailable()}, {@link #unavailabilityCause()} returning the loader's own
 * {@link Throwable} untouched, and {@link #ensureAvailability()}, which throws an exception whose
 * message says what is missing and what to do and whose cause is that original error.
 *
 * <p>The probe runs at the first query, on the querying thread, and never again; a probe that
 * fails stays failed for the life of the object. Every method may be called from any thread.
 *
 * @param <T> what a successful probe yields (a version string, a library handle...)
 */
public final class NativeProbe<T> {
    /** Loads and initialises the native part; throws whatever its loader throws. */
    @FunctionalInterface
    public interface Loader<T> {
        T load() throws Exception;
    }

    private final String part;
    private final String remedy;
    private final Loader<T> loader;
    private volatile Outcome<T> outcome;

    private record Outcome<T>(T loaded, Throwable cause) {
    }

    /**
     * @param part what is probed, as a user knows it: {@code "PortAudio"}
     * @param remedy what to do when it is missing: {@code "install it (Debian/Ubuntu: ...)"}
     */
    public NativeProbe(String part, String remedy, Loader<T> loader) {
        this.part = Objects.requireNonNull(part, "part");
        this.remedy = Objects.requireNonNull(remedy, "remedy");
        this.loader = Objects.requireNonNull(loader, "loader");
    }

    /** Whether the part loaded; the first call probes. */
    public boolean isAvailable() {
        return outcome().cause == null;
    }

    /** The error the loader threw, exactly as thrown, or null when the part is available. */
    public Throwable unavailabilityCause() {
        return outcome().cause;
    }

    /** What the loader returned, or null when the part is unavailable. */
    public T loaded() {
        return outcome().loaded;
    }

    /**
     * @throws IOException when the part is unavailable: the message is {@link #explanation()}, the
     *     cause {@link #unavailabilityCause()}
     */
    public void ensureAvailability() throws IOException {
        Throwable cause = outcome().cause;
        if (cause != null) {
            throw new IOException(explanation(), cause);
        }
    }

    /**
     * One line for a user, or null when available: {@code PART is not available (FIRST LINE OF THE
     * CAUSE): REMEDY}.
     */
    public String explanation() {
        Throwable cause = outcome().cause;
        return cause == null ? null : part + " is not available (" + firstLine(cause) + "): " + remedy;
    }

    private Outcome<T> outcome() {
        Outcome<T> o = outcome;
        if (o == null) {
            synchronized (this) {
                o = outcome;
                if (o == null) {
                    o = probe();
                    outcome = o;
                }
            }
        }
        return o;
    }

    private Outcome<T> probe() {
        try {
            return new Outcome<>(Objects.requireNonNull(loader.load(), "the loader returned null"), null);
        } catch (Exception | LinkageError e) {
            return new Outcome<>(null, e);
        }
    }

    /** The first line of a throwable's message, without a trailing colon (JNA's messages run on). */
    public static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        String line = (nl < 0 ? m : m.substring(0, nl)).strip();
        return line.endsWith(":") ? line.substring(0, line.length() - 1) : line;
    }
}
