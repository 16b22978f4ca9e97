package dev.viz.audio.processing;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import dev.viz.audio.NativeProbe;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether the native speexdsp library can be used in this process, probed once (Netty style):
 * {@link #isAvailable()}, {@link #unavailabilityCause()}, {@link #ensureAvailability()}, through the
 * same {@link NativeProbe} as PortAudio and libopus.
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

    private static final NativeProbe<NativeLibrary> PROBE = new NativeProbe<>("speexdsp", INSTALL_HINT, () -> {
        NativeLibrary library = load();
        LibSpeexDsp.register(library);
        return library;
    });

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

    /** Whether speexdsp was found and bound; the first call probes. */
    public static boolean isAvailable() {
        return PROBE.isAvailable();
    }

    /** Why speexdsp cannot be used (the loader's original error), or null when it can. */
    public static Throwable unavailabilityCause() {
        return PROBE.unavailabilityCause();
    }

    /** One line for a log or the terminal, or null when available: why processing is off and what to install. */
    public static String explanation() {
        return PROBE.explanation();
    }

    /** @throws java.io.IOException saying what to install, caused by the original error, when speexdsp cannot be used */
    public static void ensureAvailability() throws java.io.IOException {
        PROBE.ensureAvailability();
    }
}
