package dev.viz.audio.opus.nativelib;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.viz.audio.NativeProbe;
import java.io.File;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether native libopus can be used in this process, probed once in the manner of Netty's native
 * transports: {@link #isAvailable()}, {@link #unavailabilityCause()} (the loader's own error) and
 * {@link #ensureAvailability()}.
 *
 * <p><b>Where libopus comes from</b>, in this order:
 * <ol>
 *   <li>the system: JNA's search for {@code opus} (on Linux it also finds the versioned
 *       {@code libopus.so.0} that Debian's {@code libopus0} installs), then {@code libopus.so.0};</li>
 *   <li>the copy bundled in {@code club.minnced:opus-java-natives} on the class path
 *       ({@code natives/<platform>/libopus.*} for Linux x86-64, x86, aarch64 and arm, macOS and
 *       Windows x86 and x86-64), extracted to a temporary file by JNA;</li>
 *   <li>otherwise native Opus is unavailable and {@link dev.viz.audio.Codecs} falls back to Concentus.</li>
 * </ol>
 * The system property {@value #LIBRARY_PROPERTY} names one library (a path or a name) to load
 * instead, and nothing else is tried. {@value #SYSTEM_LIBRARY_PROPERTY} changes the name looked up
 * in the system (tests point it at nothing to reach the bundled copy); {@value #BUNDLED_PROPERTY}
 * {@code =false} skips the bundled copy. {@link #source()} says which one loaded. When none does,
 * {@link #unavailabilityCause()} is the system loader's error, with the bundled copy's error
 * attached as suppressed.
 *
 * <p>The library is opened with {@code RTLD_LOCAL}, so another libopus loaded into the same process
 * (by a different library) cannot take over its symbols.
 */
public final class NativeOpus {
    /** System property: the one libopus to load (a path or a name); nothing else is tried. */
    public static final String LIBRARY_PROPERTY = "viz.opus.library";
    /** System property: the name looked up in the system first (default {@value #DEFAULT_SYSTEM_LIBRARY}). */
    public static final String SYSTEM_LIBRARY_PROPERTY = "viz.opus.systemLibrary";
    /** System property: {@code false} skips the libopus bundled in {@code opus-java-natives}. */
    public static final String BUNDLED_PROPERTY = "viz.opus.bundled";
    static final String DEFAULT_SYSTEM_LIBRARY = "opus";

    /** What to tell a user who has no libopus. */
    public static final String INSTALL_HINT =
            "install libopus (Debian/Ubuntu: apt-get install libopus0; Fedora: dnf install opus; macOS: brew install opus)"
                    + " or put club.minnced:opus-java-natives on the class path";

    /** Where the loaded libopus came from. */
    public enum Source {
        /** The system's shared library (a package such as Debian's {@code libopus0}). */
        SYSTEM,
        /** The copy bundled in {@code club.minnced:opus-java-natives}. */
        BUNDLED,
        /** The library {@value NativeOpus#LIBRARY_PROPERTY} names. */
        CONFIGURED
    }

    /** A loaded libopus: where from, the file or name, and its own version string. */
    private record Loaded(Source source, String location, String version) {
    }

    private static final int RTLD_NOW = 2;
    private static final int RTLD_LOCAL = 0;

    private static final NativeProbe<Loaded> PROBE = new NativeProbe<>("native Opus", INSTALL_HINT, NativeOpus::load);

    private NativeOpus() {
    }

    /** Whether libopus was found and bound; the first call probes. */
    public static boolean isAvailable() {
        return PROBE.isAvailable();
    }

    /**
     * The loader's own error, untouched, or null when libopus is available. When both the system and
     * the bundled copy were tried, it is the system's error and the bundled copy's is suppressed in it.
     */
    public static Throwable unavailabilityCause() {
        return PROBE.unavailabilityCause();
    }

    /**
     * @throws IllegalStateException when libopus cannot be used, saying what to install, caused by
     *     {@link #unavailabilityCause()}
     */
    public static void ensureAvailability() {
        if (!PROBE.isAvailable()) {
            throw new IllegalStateException(PROBE.explanation(), PROBE.unavailabilityCause());
        }
    }

    /** The library's own version string (for example {@code libopus 1.3.1}), or null when unavailable. */
    public static String version() {
        Loaded loaded = PROBE.loaded();
        return loaded == null ? null : loaded.version();
    }

    /** Where libopus was loaded from, or null when unavailable. */
    public static Source source() {
        Loaded loaded = PROBE.loaded();
        return loaded == null ? null : loaded.source();
    }

    /** For logs and the CLI: {@code libopus 1.3.1, system} or {@code libopus 1.1.2, bundled /natives/...}. */
    public static String describe() {
        Loaded loaded = PROBE.loaded();
        if (loaded == null) {
            return "native Opus unavailable";
        }
        return loaded.version() + ", " + loaded.source().name().toLowerCase(java.util.Locale.ROOT)
                + (loaded.source() == Source.SYSTEM ? "" : " " + loaded.location());
    }

    private static Loaded load() throws IOException {
        if (Platform.isMac() && Platform.isARM()) {
            throw new UnsupportedOperationException("native Opus is not supported on Apple silicon: "
                    + "its variadic calling convention differs from the fixed-arity binding of opus_*_ctl");
        }
        Map<String, Object> options = new HashMap<>();
        options.put(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_LOCAL);
        String configured = System.getProperty(LIBRARY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return bind(NativeLibrary.getInstance(configured, options), Source.CONFIGURED, configured);
        }
        String systemName = System.getProperty(SYSTEM_LIBRARY_PROPERTY, DEFAULT_SYSTEM_LIBRARY);
        UnsatisfiedLinkError systemError;
        try {
            return bind(loadFromSystem(systemName, options), Source.SYSTEM, systemName);
        } catch (UnsatisfiedLinkError e) {
            systemError = e;
        }
        if (!Boolean.parseBoolean(System.getProperty(BUNDLED_PROPERTY, "true"))) {
            systemError.addSuppressed(new IOException("the bundled libopus is switched off (-D" + BUNDLED_PROPERTY
                    + "=false)"));
            throw systemError;
        }
        String resource = bundledResource();
        try {
            File file = Native.extractFromResourcePath(resource, NativeOpus.class.getClassLoader());
            return bind(NativeLibrary.getInstance(file.getAbsolutePath(), options), Source.BUNDLED, resource);
        } catch (IOException | LinkageError e) {
            systemError.addSuppressed(e);
            throw systemError;
        }
    }

    private static NativeLibrary loadFromSystem(String name, Map<String, Object> options) {
        try {
            return NativeLibrary.getInstance(name, options);
        } catch (UnsatisfiedLinkError first) {
            if (!name.equals(DEFAULT_SYSTEM_LIBRARY)) {
                throw first;
            }
            try {
                return NativeLibrary.getInstance("libopus.so.0", options);
            } catch (UnsatisfiedLinkError second) {
                first.addSuppressed(second);
                throw first;
            }
        }
    }

    /**
     * Where opus-java-natives keeps this platform's libopus: {@code /natives/linux-x86-64/libopus.so},
     * {@code /natives/darwin/libopus.dylib}, {@code /natives/win32-x86-64/libopus.dll}... (JNA's
     * platform names, except that macOS has one universal directory).
     */
    static String bundledResource() {
        String dir = Platform.isMac() ? "darwin" : Platform.RESOURCE_PREFIX;
        String file = Platform.isMac() ? "libopus.dylib" : Platform.isWindows() ? "libopus.dll" : "libopus.so";
        return "/natives/" + dir + "/" + file;
    }

    private static Loaded bind(NativeLibrary library, Source source, String location) {
        LibOpus.register(library);
        long versionAddress = LibOpus.opus_get_version_string();
        String version = versionAddress == 0 ? "libopus" : new Pointer(versionAddress).getString(0);
        return new Loaded(source, location, version);
    }
}
