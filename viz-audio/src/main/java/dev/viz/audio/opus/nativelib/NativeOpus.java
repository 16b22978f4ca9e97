package dev.viz.audio.opus.nativelib;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether native libopus can be used in this process, probed once (Netty style): {@link #isAvailable()},
 * {@link #cause()}, {@link #ensureAvailable()}.
 *
 * <p>The library is looked up as {@code opus} (JNA's search, which on Linux also finds the versioned
 * {@code libopus.so.0} that Debian's {@code libopus0} package installs), then as {@code libopus.so.0},
 * or at the path in the system property {@value #LIBRARY_PROPERTY} when that is set. It is opened with
 * {@code RTLD_LOCAL}, so another libopus loaded into the same process (by a different library) cannot
 * take over its symbols.
 */
public final class NativeOpus {
    /** System property: an explicit path or name of the libopus shared library. */
    public static final String LIBRARY_PROPERTY = "viz.opus.library";

    /** What to tell a user who has not got libopus. */
    public static final String INSTALL_HINT =
            "install libopus (Debian/Ubuntu: apt-get install libopus0; Fedora: dnf install opus; macOS: brew install opus)";

    private static final int RTLD_NOW = 2;
    private static final int RTLD_LOCAL = 0;

    private static final Throwable CAUSE;
    private static final String VERSION;

    static {
        Throwable cause = null;
        String version = null;
        try {
            if (Platform.isMac() && Platform.isARM()) {
                throw new UnsupportedOperationException("native Opus is not supported on Apple silicon: "
                        + "its variadic calling convention differs from the fixed-arity binding of opus_*_ctl");
            }
            NativeLibrary library = load();
            LibOpus.register(library);
            long versionAddress = LibOpus.opus_get_version_string();
            version = versionAddress == 0 ? "libopus" : new Pointer(versionAddress).getString(0);
        } catch (LinkageError | RuntimeException e) {
            cause = e;
        }
        CAUSE = cause;
        VERSION = version;
    }

    private NativeOpus() {
    }

    private static NativeLibrary load() {
        Map<String, Object> options = new HashMap<>();
        options.put(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_LOCAL);
        String configured = System.getProperty(LIBRARY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return NativeLibrary.getInstance(configured, options);
        }
        try {
            return NativeLibrary.getInstance("opus", options);
        } catch (UnsatisfiedLinkError first) {
            try {
                return NativeLibrary.getInstance("libopus.so.0", options);
            } catch (UnsatisfiedLinkError second) {
                first.addSuppressed(second);
                throw first;
            }
        }
    }

    /** Whether libopus was found and bound. */
    public static boolean isAvailable() {
        return CAUSE == null;
    }

    /** Why libopus cannot be used, or null when it can. */
    public static Throwable cause() {
        return CAUSE;
    }

    /** The library's own version string (for example {@code libopus 1.3.1}), or null when unavailable. */
    public static String version() {
        return VERSION;
    }

    /**
     * @throws IllegalStateException saying what to install, with the cause, when libopus cannot be used
     */
    public static void ensureAvailable() {
        if (CAUSE != null) {
            throw new IllegalStateException("native Opus is unavailable (" + CAUSE.getMessage() + "): " + INSTALL_HINT,
                    CAUSE);
        }
    }
}
