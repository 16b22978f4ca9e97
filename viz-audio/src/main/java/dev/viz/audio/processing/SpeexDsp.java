package dev.viz.audio.processing;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether the native speexdsp library can be used in this process, probed once (Netty style):
 * {@link #isAvailable()}, {@link #unavailabilityCause()}, {@link #ensureAvailable()}.
 *
 * <p>The library is looked up as {@code speexdsp} (JNA's search, which on Linux also finds the
 * versioned {@code libspeexdsp.so.1} of Debian's {@code libspeexdsp1}), then as
 * {@code libspeexdsp.so.1}, or at the path in the system property {@value #LIBRARY_PROPERTY} when
 * that is set. It is opened with {@code RTLD_LOCAL}, so another copy in the process (PulseAudio's
 * client library links one) cannot take over its symbols.
 *
 * <p>Without it a call goes on with its audio unprocessed: {@link AudioProcessing#create} returns
 * {@link dev.viz.core.AudioProcessor#NONE} and says why.
 */
public final class SpeexDsp {
    /** System property: an explicit path or name of the speexdsp shared library. */
    public static final String LIBRARY_PROPERTY = "viz.speexdsp.library";

    /** What to tell a user who has not got speexdsp. */
    public static final String INSTALL_HINT = "install speexdsp for echo cancellation, noise suppression and gain"
            + " control (Debian/Ubuntu: apt-get install libspeexdsp1; Fedora: dnf install speexdsp;"
            + " macOS: brew install speexdsp)";

    private static final int RTLD_NOW = 2;
    private static final int RTLD_LOCAL = 0;

    private static final Throwable CAUSE;

    static {
        Throwable cause = null;
        try {
            LibSpeexDsp.register(load());
        } catch (LinkageError | RuntimeException e) {
            cause = e;
        }
        CAUSE = cause;
    }

    private SpeexDsp() {
    }

    private static NativeLibrary load() {
        Map<String, Object> options = new HashMap<>();
        options.put(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_LOCAL);
        String configured = System.getProperty(LIBRARY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return NativeLibrary.getInstance(configured, options);
        }
        try {
            return NativeLibrary.getInstance("speexdsp", options);
        } catch (UnsatisfiedLinkError first) {
            try {
                return NativeLibrary.getInstance("libspeexdsp.so.1", options);
            } catch (UnsatisfiedLinkError second) {
                first.addSuppressed(second);
                throw first;
            }
        }
    }

    /** Whether speexdsp was found and bound. */
    public static boolean isAvailable() {
        return CAUSE == null;
    }

    /** Why speexdsp cannot be used (the original error), or null when it can. */
    public static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /** One line for a log or the terminal: why processing is off and what to install. */
    public static String unavailableMessage() {
        return CAUSE == null ? null : "speexdsp is unavailable (" + CAUSE.getMessage() + "): " + INSTALL_HINT;
    }

    /** @throws IllegalStateException saying what to install, with the cause, when speexdsp cannot be used */
    public static void ensureAvailable() {
        if (CAUSE != null) {
            throw new IllegalStateException(unavailableMessage(), CAUSE);
        }
    }
}
