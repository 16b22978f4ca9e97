package dev.viz.audio.javasound;

import dev.viz.audio.SoundBackend;
import dev.viz.audio.NativeProbe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.Line;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;
import javax.sound.sampled.TargetDataLine;

/**
 * Microphones and speakers through Java Sound ({@code javax.sound.sampled}), which every JDK has
 * (the headless JRE included: on Linux it talks to ALSA through {@code libjsound}). It needs no
 * native library of ours, so it is the fallback when PortAudio is missing.
 *
 * <p>On Linux Java Sound sees ALSA's {@code default} device (mixer {@code default [default]}, which
 * is the sound server when PulseAudio or PipeWire runs) and hardware cards, not ALSA's named
 * devices: to reach a particular sink or source through Java Sound, make it the server's default.
 *
 * <p>Device specs, after {@code javasound:}: {@code default} (or empty) for the mixer Java Sound
 * picks by default; a mixer name (exact, else the only mixer whose name contains it,
 * case-insensitive). Java Sound is the JDK's, one per process: {@link #system()}. Methods may be
 * called from any thread.
 */
public final class JavaSoundBackend implements SoundBackend {
    /** Prefix of the device ids this backend owns: {@code javasound:NAME}. */
    public static final String ID_PREFIX = "javasound:";
    /** The spec of Java Sound's default mixer. */
    public static final String DEFAULT_SPEC = "default";

    private static final String REMEDY = "on Linux it needs ALSA (install libasound2) and, for the default device,"
            + " a sound server such as PulseAudio or PipeWire; a JDK without the java.desktop module or libjsound has"
            + " no Java Sound";
    private static final JavaSoundBackend SYSTEM = new JavaSoundBackend();

    private final NativeProbe<Boolean> probe = new NativeProbe<>("Java Sound", REMEDY, JavaSoundBackend::load);

    private JavaSoundBackend() {
    }

    /** The JDK's Java Sound. */
    public static JavaSoundBackend system() {
        return SYSTEM;
    }

    @Override
    public String name() {
        return "javasound";
    }

    /**
     * Whether Java Sound lists a mixer that opens 48 kHz 16-bit lines, probed once; its error is
     * Java Sound failing to start or finding no usable mixer. A listed mixer can still fail to open
     * (no sound server), which {@link JavaSoundDevice#open} reports.
     */
    @Override
    public NativeProbe<Boolean> probe() {
        return probe;
    }

    /** Every device {@link #listDevices()} gives. */
    @Override
    public List<String> describeDevices() throws IOException {
        ensureAvailability();
        List<String> lines = new ArrayList<>();
        for (JavaSoundDeviceInfo device : listDevices()) {
            lines.add(device.toString());
        }
        return lines;
    }

    /** Every mixer that opens a 48 kHz 16-bit mono capture or playback line, as listed now. */
    public List<JavaSoundDeviceInfo> listDevices() {
        List<JavaSoundDeviceInfo> devices = new ArrayList<>();
        Mixer.Info defaultIn = defaultMixer(true);
        Mixer.Info defaultOut = defaultMixer(false);
        for (Mixer.Info info : safeMixerInfo()) {
            Mixer mixer = AudioSystem.getMixer(info);
            boolean in = mixer.isLineSupported(lineInfo(true, 1));
            boolean out = mixer.isLineSupported(lineInfo(false, 1));
            if (in || out) {
                devices.add(new JavaSoundDeviceInfo(info.getName(), info.getDescription(), info.getVendor(), in, out,
                        info.equals(defaultIn) || info.equals(defaultOut)));
            }
        }
        return List.copyOf(devices);
    }

    /**
     * An input (microphone) for {@code spec}, checked now and opened by the session.
     *
     * @throws IOException when Java Sound is not available or no mixer matches; the message lists
     *     the mixers there are
     */
    @Override
    public JavaSoundDevice input(String spec) throws IOException {
        return create(spec, true);
    }

    /** Like {@link #input(String)}, for an output (speaker). */
    @Override
    public JavaSoundDevice output(String spec) throws IOException {
        return create(spec, false);
    }

    /**
     * A device with a line buffer of {@code bufferMs} instead of the default, one frame plus
     * {@value JavaSoundDevice#SLACK_MS} ms ({@link JavaSoundDevice#BUFFER_AUTO}): less is lower
     * latency and more underflows; docs/audio.md has measurements.
     */
    public JavaSoundDevice device(String spec, boolean input, int bufferMs) throws IOException {
        if (bufferMs < 0 || bufferMs > 1000) {
            throw new IllegalArgumentException("buffer " + bufferMs + " ms: use 1 to 1000, or 0 for the default");
        }
        ensureAvailability();
        String s = normalise(spec);
        resolve(s, input, 1);
        return new JavaSoundDevice(this, s, input, bufferMs);
    }

    /** Java Sound's default input. */
    @Override
    public JavaSoundDevice defaultInput() throws IOException {
        return input(DEFAULT_SPEC);
    }

    /** Java Sound's default output. */
    @Override
    public JavaSoundDevice defaultOutput() throws IOException {
        return output(DEFAULT_SPEC);
    }

    private JavaSoundDevice create(String spec, boolean input) throws IOException {
        ensureAvailability();
        String s = normalise(spec);
        resolve(s, input, 1);
        return new JavaSoundDevice(this, s, input, JavaSoundDevice.BUFFER_AUTO);
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

    /** The line format Viz uses: signed 16-bit little-endian PCM. */
    static AudioFormat lineFormat(float sampleRateHz, int channels) {
        return new AudioFormat(sampleRateHz, 16, channels, true, false);
    }

    static DataLine.Info lineInfo(boolean input, int channels) {
        return new DataLine.Info(input ? TargetDataLine.class : SourceDataLine.class, lineFormat(48_000f, channels));
    }

    /**
     * The mixer {@code spec} names now, or null for the default (Java Sound then picks, honouring
     * the {@code javax.sound.sampled.TargetDataLine}/{@code SourceDataLine} properties).
     */
    static Mixer.Info resolve(String spec, boolean input, int channels) throws IOException {
        Line.Info wanted = lineInfo(input, channels);
        String direction = input ? "input" : "output";
        if (spec.equalsIgnoreCase(DEFAULT_SPEC)) {
            if (!AudioSystem.isLineSupported(wanted)) {
                throw new IOException("Java Sound has no " + direction + " that opens 48 kHz 16-bit audio: "
                        + "is a sound server (PulseAudio, PipeWire) running, or ALSA configured?");
            }
            return null;
        }
        String lower = spec.toLowerCase(Locale.ROOT);
        Mixer.Info exactIgnoringCase = null;
        List<Mixer.Info> containing = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (Mixer.Info info : safeMixerInfo()) {
            if (!AudioSystem.getMixer(info).isLineSupported(wanted)) {
                continue;
            }
            all.append(all.length() == 0 ? "" : ", ").append(info.getName());
            if (info.getName().equals(spec)) {
                return info;
            }
            String name = info.getName().toLowerCase(Locale.ROOT);
            if (name.equals(lower) && exactIgnoringCase == null) {
                exactIgnoringCase = info;
            } else if (name.contains(lower)) {
                containing.add(info);
            }
        }
        if (exactIgnoringCase != null) {
            return exactIgnoringCase;
        }
        if (containing.size() == 1) {
            return containing.get(0);
        }
        if (containing.isEmpty()) {
            throw new IOException("no Java Sound " + direction + " named '" + spec + "'; " + direction + "s: "
                    + (all.length() == 0 ? "none" : all));
        }
        StringBuilder matches = new StringBuilder();
        for (Mixer.Info info : containing) {
            matches.append(matches.length() == 0 ? "" : ", ").append(info.getName());
        }
        throw new IOException("'" + spec + "' matches several Java Sound " + direction + "s (" + matches
                + "): give the whole name");
    }

    private static Mixer.Info defaultMixer(boolean input) {
        try {
            Line line = AudioSystem.getLine(lineInfo(input, 1));
            for (Mixer.Info info : safeMixerInfo()) {
                if (AudioSystem.getMixer(info).isLineSupported(line.getLineInfo())) {
                    return info;
                }
            }
        } catch (Exception | LinkageError none) {
            // No default: nothing is marked.
        }
        return null;
    }

    private static Mixer.Info[] safeMixerInfo() {
        try {
            return AudioSystem.getMixerInfo();
        } catch (RuntimeException | LinkageError e) {
            return new Mixer.Info[0];
        }
    }

    /** The probe: true when a mixer opens 48 kHz 16-bit audio; throws what Java Sound throws, or why none does. */
    private static Boolean load() throws IOException {
        Mixer.Info[] mixers = AudioSystem.getMixerInfo();
        for (Mixer.Info info : mixers) {
            Mixer mixer = AudioSystem.getMixer(info);
            if (mixer.isLineSupported(lineInfo(true, 1)) || mixer.isLineSupported(lineInfo(false, 1))) {
                return Boolean.TRUE;
            }
        }
        throw new IOException("it lists " + mixers.length + " mixers and none opens 48 kHz 16-bit audio");
    }
}
