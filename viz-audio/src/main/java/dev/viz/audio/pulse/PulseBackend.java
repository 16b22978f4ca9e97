package dev.viz.audio.pulse;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.viz.audio.NativeProbe;
import dev.viz.audio.SoundBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microphones and speakers of a PulseAudio server (or PipeWire's PulseAudio server, which most Linux
 * desktops run), through PulseAudio's client libraries ({@code libpulse-simple.so.0} and the
 * {@code libpulse.so.0} it links, Debian/Ubuntu package {@code libpulse0}), bound with JNA. It talks to the server directly, without ALSA's
 * PulseAudio plugin underneath PortAudio: a call's endpoint loads none of ALSA's plugin libraries
 * (about 20 MB resident that PortAudio's device enumeration maps) and the buffer sizes asked are the
 * server's own.
 *
 * <p>Optional, like PortAudio: {@link #isAvailable()} probes the library once (loading only;
 * whether a server answers is checked when a device is made, so {@link
 * dev.viz.audio.AudioDevices#defaultInput()} moves on to PortAudio when none does).
 *
 * <p>Device specs, as {@code --input}/{@code --output} take them after {@code pulse:}:
 * <ul>
 *   <li>{@code default} (or empty): the server's default source or sink, looked up by the server at
 *       every open, so a call follows the default when it changes;</li>
 *   <li>{@code monitor} (input only): what the default sink is playing ({@code @DEFAULT_MONITOR@});</li>
 *   <li>any other text: a source (input) or sink (output) name, as {@code pactl list short sources}
 *       and {@code pactl list short sinks} print them, for example {@code viz_mic.monitor}.</li>
 * </ul>
 *
 * <p>The library is chosen with the system property {@value #LIBRARY_PROPERTY} (default
 * {@value #DEFAULT_LIBRARY}, then {@value #VERSIONED_LIBRARY}). There is one backend per process,
 * {@link #system()}; every method may be called from any thread (each device has its own connection).
 */
public final class PulseBackend implements SoundBackend {
    /** Prefix of the device ids this backend owns: {@code pulse:NAME}. */
    public static final String ID_PREFIX = "pulse:";
    /** System property naming the library to load (a name or an absolute path). */
    public static final String LIBRARY_PROPERTY = "viz.pulse.library";
    public static final String DEFAULT_LIBRARY = "pulse-simple";
    /** Tried when {@value #DEFAULT_LIBRARY} does not load: the run-time library without its development link. */
    public static final String VERSIONED_LIBRARY = "libpulse-simple.so.0";
    /** The spec of the server's default source or sink. */
    public static final String DEFAULT_SPEC = "default";
    /** The input spec that captures what the default sink plays. */
    public static final String MONITOR_SPEC = "monitor";
    /** The server's name for the default sink's monitor source. */
    static final String MONITOR_SOURCE = "@DEFAULT_MONITOR@";
    /** The client name the server shows ({@code pactl list clients}). */
    static final String CLIENT_NAME = "Viz";
    /** How long {@link #describeDevices()} waits for the server's list. */
    static final long LIST_TIMEOUT_MS = 2_000;

    private static final Logger LOG = LoggerFactory.getLogger(PulseBackend.class);
    private static final String REMEDY = "install it (Debian/Ubuntu: sudo apt-get install libpulse0; Fedora:"
            + " sudo dnf install pulseaudio-libs; Arch: sudo pacman -S libpulse) or point -D" + LIBRARY_PROPERTY
            + " at libpulse-simple; PortAudio and Java Sound are tried next";

    private final String library;
    private final NativeProbe<String> probe;

    private PulseBackend(String library) {
        this.library = library;
        this.probe = new NativeProbe<>("PulseAudio's client library", REMEDY, this::load);
    }

    private static final class Holder {
        static final PulseBackend BACKEND = new PulseBackend(System.getProperty(LIBRARY_PROPERTY, DEFAULT_LIBRARY));
    }

    /** The process's PulseAudio client library, loaded from {@value #LIBRARY_PROPERTY} (at the first query). */
    public static PulseBackend system() {
        return Holder.BACKEND;
    }

    @Override
    public String name() {
        return "pulse";
    }

    /** Loading libpulse-simple, probed at the first query; its error is the loader's, untouched. */
    @Override
    public NativeProbe<String> probe() {
        return probe;
    }

    /** libpulse's version, for example {@code 16.1.0}, or null when unavailable. */
    public String libraryVersion() {
        return probe.loaded();
    }

    /**
     * A source (microphone) of the server for {@code spec} (see the class comment), checked now by
     * connecting to the server, and opened by the session.
     *
     * @throws IOException when the library is missing, no server answers or it has no such source
     */
    @Override
    public PulseDevice input(String spec) throws IOException {
        return device(spec, true, PulseDevice.LATENCY_AUTO);
    }

    /** Like {@link #input(String)}, for a sink (speaker). */
    @Override
    public PulseDevice output(String spec) throws IOException {
        return device(spec, false, PulseDevice.LATENCY_AUTO);
    }

    /** The server's default source. */
    @Override
    public PulseDevice defaultInput() throws IOException {
        return input(DEFAULT_SPEC);
    }

    /** The server's default sink. */
    @Override
    public PulseDevice defaultOutput() throws IOException {
        return output(DEFAULT_SPEC);
    }

    /** An input that captures what the default sink is playing. */
    public PulseDevice monitorInput() throws IOException {
        return input(MONITOR_SPEC);
    }

    /**
     * Like {@link #input(String)}/{@link #output(String)}, asking the server for {@code latencyMs}
     * of buffering instead of the defaults ({@link PulseDevice#LATENCY_AUTO}: one frame each way).
     */
    public PulseDevice device(String spec, boolean input, int latencyMs) throws IOException {
        if (latencyMs < 0 || latencyMs > 1000) {
            throw new IllegalArgumentException("latency " + latencyMs + " ms: use 1 to 1000, or 0 for the default");
        }
        ensureAvailability();
        String s = normalise(spec);
        if (!input && s.equalsIgnoreCase(MONITOR_SPEC)) {
            throw new IOException(ID_PREFIX + MONITOR_SPEC + " is an input: it captures what the default output plays");
        }
        check(s, input);
        return new PulseDevice(s, input, latencyMs);
    }

    /**
     * The default and monitor specs, then the server's sources (inputs) and sinks (outputs) as
     * {@code pulse:NAME} with the server's description, the defaults marked; asked through
     * libpulse's asynchronous API ({@link PulseIntrospection}) with a 2 s limit. When the server
     * cannot be asked, the lines say why and which {@code pactl} command lists the names.
     */
    @Override
    public List<String> describeDevices() throws IOException {
        ensureAvailability();
        List<String> lines = new ArrayList<>();
        PulseIntrospection.Listing listing = null;
        String server;
        try {
            listing = PulseIntrospection.list(LIST_TIMEOUT_MS);
            server = "a server answers";
        } catch (IOException listFailed) {
            try {
                check(DEFAULT_SPEC, false);
                server = "a server answers, but did not list its devices: " + listFailed.getMessage();
            } catch (IOException e) {
                server = "no server answers now: " + e.getMessage();
            }
        }
        lines.add(pad(ID_PREFIX + DEFAULT_SPEC) + "(PulseAudio's default source / sink; " + server + ")");
        lines.add(pad(ID_PREFIX + MONITOR_SPEC) + "(input: what PulseAudio's default sink plays)");
        if (listing == null) {
            lines.add(pad(ID_PREFIX + "NAME") + "(a source or sink: pactl list short sources / sinks)");
            return lines;
        }
        for (PulseIntrospection.Device source : listing.sources()) {
            lines.add(pad(ID_PREFIX + source.name()) + "(input" + (source.name().equals(listing.defaultSource())
                    ? ", the default" : "") + ": " + source.description() + ")");
        }
        for (PulseIntrospection.Device sink : listing.sinks()) {
            lines.add(pad(ID_PREFIX + sink.name()) + "(output" + (sink.name().equals(listing.defaultSink())
                    ? ", the default" : "") + ": " + sink.description() + ")");
        }
        return lines;
    }

    private static String pad(String id) {
        return id.length() >= 36 ? id + "  " : id + " ".repeat(36 - id.length());
    }

    static String normalise(String spec) {
        if (spec == null) {
            return DEFAULT_SPEC;
        }
        String s = spec.strip();
        if (s.regionMatches(true, 0, ID_PREFIX, 0, ID_PREFIX.length())) {
            s = s.substring(ID_PREFIX.length()).strip();
        }
        return s.isEmpty() || s.equalsIgnoreCase(DEFAULT_SPEC) ? DEFAULT_SPEC
                : s.equalsIgnoreCase(MONITOR_SPEC) ? MONITOR_SPEC : s;
    }

    /** The server's name for a spec: null for the default, the monitor's special name, or the spec. */
    static String serverDevice(String spec) {
        return spec.equals(DEFAULT_SPEC) ? null : spec.equals(MONITOR_SPEC) ? MONITOR_SOURCE : spec;
    }

    /**
     * Connects, opens a stream on the spec's device and frees it: the server answers and has the
     * device. For the default source and the monitor only the server's answer is in question, so a
     * playback stream on the default sink checks it: a desktop shows its "microphone in use" sign for
     * any record stream, however short, and a check should not light it.
     */
    private static void check(String spec, boolean input) throws IOException {
        if (input && (spec.equals(DEFAULT_SPEC) || spec.equals(MONITOR_SPEC))) {
            try {
                check(DEFAULT_SPEC, false);
            } catch (IOException e) {
                throw new IOException(e.getMessage().replace("output " + ID_PREFIX + DEFAULT_SPEC,
                        "input " + ID_PREFIX + spec), e);
            }
            return;
        }
        PulseNative.SampleSpec sampleSpec = PulseNative.int16(48_000, 1);
        Memory error = new Memory(4);
        error.setInt(0, 0);
        Pointer s = PulseNative.pa_simple_new(null, CLIENT_NAME, input ? PulseNative.PA_STREAM_RECORD
                : PulseNative.PA_STREAM_PLAYBACK, serverDevice(spec), "device check", sampleSpec, null, null, error);
        if (s == null) {
            throw new IOException(openFailure(spec, input, error.getInt(0)));
        }
        PulseNative.pa_simple_free(s);
    }

    /** What a failed {@code pa_simple_new} means, and what to do. */
    static String openFailure(String spec, boolean input, int error) {
        String what = "cannot open PulseAudio " + (input ? "input " : "output ") + ID_PREFIX + spec + ": "
                + PulseNative.pa_strerror(error);
        if (error == PulseNative.PA_ERR_NOENTITY) {
            return what + "; the server has no such " + (input ? "source (pactl list short sources" : "sink (pactl list"
                    + " short sinks") + " lists them)";
        }
        if (error == PulseNative.PA_ERR_CONNECTIONREFUSED) {
            return what + "; no PulseAudio server answers (start PulseAudio, or PipeWire with pipewire-pulse;"
                    + " PULSE_SERVER names a remote one)";
        }
        return what;
    }

    /** The probe: binds the library; libpulse's version, or the original error. */
    private String load() {
        long startNs = System.nanoTime();
        try {
            PulseNative.bind(library);
        } catch (UnsatisfiedLinkError first) {
            if (!library.equals(DEFAULT_LIBRARY)) {
                throw first;
            }
            try {
                PulseNative.bind(VERSIONED_LIBRARY);
            } catch (UnsatisfiedLinkError second) {
                second.addSuppressed(first);
                LOG.debug("libpulse-simple did not load", second);
                throw second;
            }
        }
        String version = PulseNative.pa_get_library_version();
        LOG.debug("libpulse {} loaded in {} ms", version, (System.nanoTime() - startNs) / 1_000_000L);
        return version.toLowerCase(Locale.ROOT);
    }
}
