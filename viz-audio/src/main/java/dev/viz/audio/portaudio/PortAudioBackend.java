package dev.viz.audio.portaudio;

import com.sun.jna.Pointer;
import dev.viz.audio.SoundBackend;
import dev.viz.audio.NativeProbe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Microphones and speakers through the system's PortAudio library ({@code libportaudio}, V19),
 * bound with JNA. PortAudio is optional: {@link #isAvailable()} probes it once (load the library,
 * {@code Pa_Initialize}); {@link #unavailabilityCause()} is the loader's own error and {@link
 * #ensureAvailability()} says what to install.
 *
 * <p>Device specs, as {@code --input}/{@code --output} take them after {@code portaudio:}:
 * <ul>
 *   <li>{@code default} (or empty): PortAudio's default input or output, looked up at every open,
 *       so a call follows the system default when it changes;</li>
 *   <li>a number: a device index from {@link #listDevices()};</li>
 *   <li>a name: the device whose name is exactly that, else the only one whose name contains it
 *       (case-insensitive), among devices with channels in the wanted direction;</li>
 *   <li>{@code monitor} (input only): what the default output is playing, through the ALSA
 *       PulseAudio plugin ({@code pulse:DEVICE=@DEFAULT_MONITOR@}); needs PulseAudio or PipeWire's
 *       PulseAudio server and {@code libasound2-plugins};</li>
 *   <li>{@code alsa:PCM}: a raw ALSA device string that PortAudio does not list, for example
 *       {@code alsa:pulse:DEVICE=viz_mic.monitor} (ALSA host API only).</li>
 * </ul>
 *
 * <p>The library is chosen with the system property {@value #LIBRARY_PROPERTY} (default
 * {@value #DEFAULT_LIBRARY}: JNA finds {@code libportaudio.so.2} on Linux, {@code libportaudio.dylib}
 * on macOS, {@code portaudio.dll} on Windows); it is read once, when {@link #system()} is first
 * called. PortAudio is one library per process (its natives are bound to one class), so there is one
 * backend, {@link #system()}; it holds the probe, the lock and the count of open streams. Methods may
 * be called from any thread; PortAudio's setup functions are not thread-safe, so this backend
 * serialises them (never the reads and writes of an open stream).
 */
public final class PortAudioBackend implements SoundBackend {
    /** Prefix of the device ids this backend owns: {@code portaudio:NAME}. */
    public static final String ID_PREFIX = "portaudio:";
    /** System property naming the PortAudio library to load (a name or an absolute path). */
    public static final String LIBRARY_PROPERTY = "viz.portaudio.library";
    public static final String DEFAULT_LIBRARY = "portaudio";
    /** The spec of PortAudio's default device. */
    public static final String DEFAULT_SPEC = "default";
    /** The input spec that captures what the default output is playing. */
    public static final String MONITOR_SPEC = "monitor";
    /** Prefix of a raw ALSA device string spec. */
    public static final String ALSA_SPEC_PREFIX = "alsa:";
    static final String MONITOR_ALSA_DEVICE = "pulse:DEVICE=@DEFAULT_MONITOR@";

    private static final Logger LOG = LoggerFactory.getLogger(PortAudioBackend.class);
    private static final String REMEDY = "install it (Debian/Ubuntu: sudo apt-get install libportaudio2; Fedora:"
            + " sudo dnf install portaudio; Arch: sudo pacman -S portaudio; macOS: brew install portaudio) or point -D"
            + LIBRARY_PROPERTY + " at libportaudio";

    private final Object lock = new Object();
    private final String library;
    private final NativeProbe<String> probe;
    /** Streams open now; PortAudio may be reinitialised (to see new devices) only when none are. Guarded by lock. */
    private int openStreams;

    private PortAudioBackend(String library) {
        this.library = library;
        this.probe = new NativeProbe<>("PortAudio", REMEDY, this::load);
    }

    private static final class Holder {
        static final PortAudioBackend BACKEND = new PortAudioBackend(
                System.getProperty(LIBRARY_PROPERTY, DEFAULT_LIBRARY));
    }

    /** The process's PortAudio, loaded from the library {@value #LIBRARY_PROPERTY} names (at the first query). */
    public static PortAudioBackend system() {
        return Holder.BACKEND;
    }

    @Override
    public String name() {
        return "portaudio";
    }

    /**
     * Loading and initialising PortAudio, probed at the first query (0.1–0.3 s; later queries are
     * free). Its error is the loader's, untouched; {@link #ensureAvailability()} says what to install,
     * for example "PortAudio is not available (Unable to load library 'portaudio'): install it
     * (Debian/Ubuntu: sudo apt-get install libportaudio2; ...)".
     */
    @Override
    public NativeProbe<String> probe() {
        return probe;
    }

    /** PortAudio's version text, for example {@code PortAudio V19.6.0-devel}, or null when unavailable. */
    public String versionText() {
        return probe.loaded();
    }

    /**
     * Every device PortAudio lists, inputs and outputs, in index order.
     *
     * @throws IOException when PortAudio is not available
     */
    public List<PortAudioDeviceInfo> listDevices() throws IOException {
        ensureAvailability();
        synchronized (lock) {
            int count = PortAudioNative.Pa_GetDeviceCount();
            if (count < 0) {
                throw new IOException("cannot list PortAudio devices: " + PortAudioNative.errorText(count));
            }
            int defaultIn = PortAudioNative.Pa_GetDefaultInputDevice();
            int defaultOut = PortAudioNative.Pa_GetDefaultOutputDevice();
            List<PortAudioDeviceInfo> devices = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                Pointer p = PortAudioNative.Pa_GetDeviceInfo(i);
                if (p == null) {
                    continue;
                }
                PortAudioNative.DeviceInfo d = new PortAudioNative.DeviceInfo(p);
                Pointer h = PortAudioNative.Pa_GetHostApiInfo(d.hostApi);
                String hostApi = h == null ? "host API " + d.hostApi : new PortAudioNative.HostApiInfo(h).name;
                devices.add(new PortAudioDeviceInfo(i, d.name, hostApi, d.maxInputChannels, d.maxOutputChannels,
                        d.defaultSampleRate, d.defaultLowInputLatency * 1000.0, d.defaultLowOutputLatency * 1000.0,
                        i == defaultIn, i == defaultOut));
            }
            return List.copyOf(devices);
        }
    }

    /**
     * An input (microphone) device for {@code spec} (see the class comment), checked now and opened
     * by the session. Samples travel as int16.
     *
     * @throws IOException when PortAudio is not available or the spec names no input; the message
     *     lists the inputs there are
     */
    @Override
    public PortAudioDevice input(String spec) throws IOException {
        return create(spec, true, PortAudioDevice.SampleFormat.INT16, PortAudioDevice.LATENCY_AUTO);
    }

    /** Like {@link #input(String)}, for an output (speaker). */
    @Override
    public PortAudioDevice output(String spec) throws IOException {
        return create(spec, false, PortAudioDevice.SampleFormat.INT16, PortAudioDevice.LATENCY_AUTO);
    }

    /**
     * Like {@link #input(String)}/{@link #output(String)} with the sample format PortAudio carries:
     * {@link PortAudioDevice.SampleFormat#FLOAT32} converts to and from int16 in Java, as the
     * original Viz did.
     */
    public PortAudioDevice device(String spec, boolean input, PortAudioDevice.SampleFormat format)
            throws IOException {
        return create(spec, input, format, PortAudioDevice.LATENCY_AUTO);
    }

    /**
     * Like {@link #device(String, boolean, PortAudioDevice.SampleFormat)}, asking the host API for
     * {@code latencyMs} of buffering instead of the defaults ({@link PortAudioDevice#LATENCY_AUTO}:
     * one frame for an output, {@value PortAudioDevice#INPUT_BUFFER_FRAMES} for an input). Less
     * output buffering is lower latency and more underflows on a busy machine; docs/audio.md has
     * measurements.
     */
    public PortAudioDevice device(String spec, boolean input, PortAudioDevice.SampleFormat format,
            int latencyMs) throws IOException {
        if (latencyMs < 0 || latencyMs > 1000) {
            throw new IllegalArgumentException("latency " + latencyMs + " ms: use 1 to 1000, or 0 for the default");
        }
        return create(spec, input, format, latencyMs);
    }

    /** PortAudio's default input. */
    @Override
    public PortAudioDevice defaultInput() throws IOException {
        return input(DEFAULT_SPEC);
    }

    /** PortAudio's default output. */
    @Override
    public PortAudioDevice defaultOutput() throws IOException {
        return output(DEFAULT_SPEC);
    }

    /** An input that captures what the default output is playing (PulseAudio's default monitor). */
    public PortAudioDevice monitorInput() throws IOException {
        return input(MONITOR_SPEC);
    }

    /** {@code monitor}, then every device {@link #listDevices()} gives. */
    @Override
    public List<String> describeDevices() throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("monitor                             (input: what the default output plays)");
        for (PortAudioDeviceInfo device : listDevices()) {
            lines.add(device.toString());
        }
        return lines;
    }

    private PortAudioDevice create(String spec, boolean input, PortAudioDevice.SampleFormat format,
            int latencyMs) throws IOException {
        ensureAvailability();
        String s = normalise(spec);
        if (!input && s.equals(MONITOR_SPEC)) {
            throw new IOException(ID_PREFIX + MONITOR_SPEC + " is an input: it captures what the default output plays");
        }
        resolve(s, input);
        return new PortAudioDevice(this, s, input, format, latencyMs);
    }

    static String normalise(String spec) {
        if (spec == null) {
            return DEFAULT_SPEC;
        }
        String s = spec.strip();
        if (s.regionMatches(true, 0, ID_PREFIX, 0, ID_PREFIX.length())) {
            s = s.substring(ID_PREFIX.length()).strip();
        }
        return s.isEmpty() ? DEFAULT_SPEC : s;
    }

    /** Where a spec points now: a device index, or a raw ALSA device string. */
    record Target(int index, String alsaDevice, String description, double suggestedLatencyS) {
    }

    /**
     * Finds what {@code spec} means now. When a name is not found and no stream is open, PortAudio is
     * reinitialised once to see devices plugged in since it started.
     */
    Target resolve(String spec, boolean input) throws IOException {
        synchronized (lock) {
            try {
                return resolveLocked(spec, input);
            } catch (IOException notFound) {
                if (openStreams == 0 && !spec.equals(MONITOR_SPEC) && !isAlsaSpec(spec) && reinitialiseLocked()) {
                    return resolveLocked(spec, input);
                }
                throw notFound;
            }
        }
    }

    private static boolean isAlsaSpec(String spec) {
        return spec.regionMatches(true, 0, ALSA_SPEC_PREFIX, 0, ALSA_SPEC_PREFIX.length());
    }

    private Target resolveLocked(String spec, boolean input) throws IOException {
        String direction = input ? "input" : "output";
        if (spec.equals(MONITOR_SPEC) || isAlsaSpec(spec)) {
            String alsa = spec.equals(MONITOR_SPEC) ? MONITOR_ALSA_DEVICE : spec.substring(ALSA_SPEC_PREFIX.length());
            if (!PortAudioNative.hasAlsaStreamInfo()) {
                throw new IOException(ID_PREFIX + spec + " needs PortAudio's ALSA host API, which this build lacks");
            }
            return new Target(PortAudioNative.PA_USE_HOST_API_SPECIFIC_DEVICE_SPECIFICATION, alsa,
                    "ALSA " + alsa, 0);
        }
        int count = PortAudioNative.Pa_GetDeviceCount();
        if (count < 0) {
            throw new IOException("cannot list PortAudio devices: " + PortAudioNative.errorText(count));
        }
        int index;
        if (spec.equalsIgnoreCase(DEFAULT_SPEC)) {
            index = input ? PortAudioNative.Pa_GetDefaultInputDevice() : PortAudioNative.Pa_GetDefaultOutputDevice();
            if (index < 0) {
                throw new IOException("PortAudio has no default " + direction + " (" + count + " devices listed): "
                        + "check the sound server is running, or name a device from `viz devices`");
            }
        } else if (isNumber(spec)) {
            index = Integer.parseInt(spec);
            if (index >= count || channels(index, input) < 1) {
                throw new IOException("PortAudio device #" + index + " is not an " + direction + "; "
                        + direction + "s: " + names(count, input));
            }
        } else {
            index = findByName(spec, count, input);
        }
        PortAudioNative.DeviceInfo d = new PortAudioNative.DeviceInfo(PortAudioNative.Pa_GetDeviceInfo(index));
        return new Target(index, null, "#" + index + " " + d.name,
                input ? d.defaultLowInputLatency : d.defaultLowOutputLatency);
    }

    private static boolean isNumber(String spec) {
        for (int i = 0; i < spec.length(); i++) {
            if (!Character.isDigit(spec.charAt(i))) {
                return false;
            }
        }
        return spec.length() < 9;
    }

    private static int channels(int index, boolean input) {
        Pointer p = PortAudioNative.Pa_GetDeviceInfo(index);
        if (p == null) {
            return 0;
        }
        PortAudioNative.DeviceInfo d = new PortAudioNative.DeviceInfo(p);
        return input ? d.maxInputChannels : d.maxOutputChannels;
    }

    private int findByName(String name, int count, boolean input) throws IOException {
        String lower = name.toLowerCase(Locale.ROOT);
        int exactIgnoringCase = -1;
        List<Integer> containing = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Pointer p = PortAudioNative.Pa_GetDeviceInfo(i);
            if (p == null) {
                continue;
            }
            PortAudioNative.DeviceInfo d = new PortAudioNative.DeviceInfo(p);
            if ((input ? d.maxInputChannels : d.maxOutputChannels) < 1 || d.name == null) {
                continue;
            }
            if (d.name.equals(name)) {
                return i;
            }
            String candidate = d.name.toLowerCase(Locale.ROOT);
            if (candidate.equals(lower) && exactIgnoringCase < 0) {
                exactIgnoringCase = i;
            } else if (candidate.contains(lower)) {
                containing.add(i);
            }
        }
        if (exactIgnoringCase >= 0) {
            return exactIgnoringCase;
        }
        String direction = input ? "input" : "output";
        if (containing.size() == 1) {
            return containing.get(0);
        }
        if (containing.isEmpty()) {
            throw new IOException("no PortAudio " + direction + " named '" + name + "'; " + direction + "s: "
                    + names(count, input));
        }
        StringBuilder matches = new StringBuilder();
        for (int i : containing) {
            matches.append(matches.length() == 0 ? "" : ", ")
                    .append(new PortAudioNative.DeviceInfo(PortAudioNative.Pa_GetDeviceInfo(i)).name);
        }
        throw new IOException("'" + name + "' matches several PortAudio " + direction + "s (" + matches
                + "): give the whole name or the index");
    }

    private static String names(int count, boolean input) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Pointer p = PortAudioNative.Pa_GetDeviceInfo(i);
            if (p == null) {
                continue;
            }
            PortAudioNative.DeviceInfo d = new PortAudioNative.DeviceInfo(p);
            if ((input ? d.maxInputChannels : d.maxOutputChannels) > 0) {
                s.append(s.length() == 0 ? "" : ", ").append('#').append(i).append(' ').append(d.name);
            }
        }
        return s.length() == 0 ? "none" : s.toString();
    }

    /** Terminates and initialises PortAudio again, which re-reads the device list. Caller holds the lock. */
    private boolean reinitialiseLocked() {
        long startNs = System.nanoTime();
        PortAudioNative.Pa_Terminate();
        int err = PortAudioNative.Pa_Initialize();
        if (err != PortAudioNative.PA_NO_ERROR) {
            LOG.warn("PortAudio failed to reinitialise: {}", PortAudioNative.errorText(err));
            return false;
        }
        LOG.debug("PortAudio reinitialised to re-read the device list in {} ms",
                (System.nanoTime() - startNs) / 1_000_000L);
        return true;
    }

    /** Called with a stream opened (+1) or closed (-1). */
    void streamOpened(int delta) {
        synchronized (lock) {
            openStreams += delta;
        }
    }

    /** Serialises PortAudio's setup functions (open, start, close, list, reinitialise). */
    Object lock() {
        return lock;
    }

    /** The probe: binds the library and initialises PortAudio; the version text, or the original error. */
    private String load() throws IOException {
        long startNs = System.nanoTime();
        try {
            PortAudioNative.bind(library);
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("PortAudio library '{}' did not load", library, e);
            throw e;
        }
        NativeChatter.silence();
        int err = PortAudioNative.Pa_Initialize();
        if (err != PortAudioNative.PA_NO_ERROR) {
            throw new IOException("Pa_Initialize failed: " + PortAudioNative.errorText(err));
        }
        String version = PortAudioNative.Pa_GetVersionText();
        LOG.debug("{} loaded from '{}' in {} ms", version, library,
                (System.nanoTime() - startNs) / 1_000_000L);
        return version;
    }
}
