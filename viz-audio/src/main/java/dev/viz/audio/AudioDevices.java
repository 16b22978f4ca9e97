package dev.viz.audio;

import dev.viz.audio.javasound.JavaSoundBackend;
import dev.viz.audio.portaudio.PortAudioBackend;
import dev.viz.audio.pulse.PulseBackend;
import dev.viz.core.AudioDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where to find audio devices: the file, tone, silence and null devices, the system's default
 * microphone and speaker, and the device specs the command line takes.
 *
 * <table>
 *   <caption>Device specs</caption>
 *   <tr><th>spec</th><th>input</th><th>output</th></tr>
 *   <tr><td>{@code wav:FILE}</td><td>plays FILE into the call</td><td>records the call into FILE</td></tr>
 *   <tr><td>{@code tone:HZ}</td><td>a sine tone at HZ</td><td>-</td></tr>
 *   <tr><td>{@code silence}</td><td>digital silence</td><td>-</td></tr>
 *   <tr><td>{@code null}</td><td>-</td><td>discards what is played</td></tr>
 *   <tr><td>{@code default}</td><td>the default microphone</td><td>the default speaker</td></tr>
 * </table>
 *
 * <p>Every device made here is paced in real time, as a sound card is; the device classes offer
 * unpaced variants for tests.
 */
public final class AudioDevices {
    /** What works as an input when no sound device does, in CLI terms. */
    public static final String INPUT_SPECS = "wav:FILE|tone:HZ|silence";
    /** Sound-device inputs: a named device of a backend, what the speaker plays, or the default. */
    public static final String DEVICE_INPUT_SPECS = "pulse:NAME|portaudio:NAME|javasound:NAME|monitor|default";
    /** Sound-device outputs. */
    public static final String DEVICE_OUTPUT_SPECS = "pulse:NAME|portaudio:NAME|javasound:NAME|default";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AudioDevices.class);
    /** What works as an output when no sound device does, in CLI terms. */
    public static final String OUTPUT_SPECS = "wav:FILE|null";

    /**
     * A PulseAudio server first when one answers (most Linux desktops run it or PipeWire's: no ALSA
     * plugin layer, less memory), then PortAudio (every platform, lowest latency on a bare sound
     * card), then Java Sound (nothing to install).
     */
    private static final List<SoundBackend> BACKENDS =
            List.of(PulseBackend.system(), PortAudioBackend.system(), JavaSoundBackend.system());

    private AudioDevices() {
    }

    /**
     * The sound device backends in the order {@link #defaultInput()} and {@link #defaultOutput()}
     * try them: the first that is available and has a default device wins.
     */
    public static List<SoundBackend> backends() {
        return BACKENDS;
    }

    /** Plays {@code file} (any common PCM WAV) into the call, then ends the stream. */
    public static AudioDevice wav(Path file) {
        return new WavFileInput(file);
    }

    /** Records what the call plays into {@code file} (16-bit PCM WAV at the session's format). */
    public static AudioDevice wavOutput(Path file) {
        return new WavFileOutput(file);
    }

    /** A sine tone at {@code hz}, at {@link ToneInput#DEFAULT_AMPLITUDE}. */
    public static AudioDevice tone(double hz) {
        return new ToneInput(hz);
    }

    /** Digital silence. */
    public static AudioDevice silence() {
        return new SilenceInput();
    }

    /** Discards what is played. */
    public static AudioDevice nullOutput() {
        return new NullOutput();
    }

    /**
     * The system's default microphone, from the first sound backend that has one.
     *
     * @throws IOException when there is none; the message says why and which inputs work instead
     */
    public static AudioDevice defaultInput() throws IOException {
        return fromBackends(true);
    }

    /**
     * The system's default speaker, from the first sound backend that has one.
     *
     * @throws IOException when there is none; the message says why and which outputs work instead
     */
    public static AudioDevice defaultOutput() throws IOException {
        return fromBackends(false);
    }

    private static AudioDevice fromBackends(boolean input) throws IOException {
        List<String> reasons = new ArrayList<>();
        IOException last = null;
        for (SoundBackend backend : BACKENDS) {
            try {
                backend.ensureAvailability();
                AudioDevice device = input ? backend.defaultInput() : backend.defaultOutput();
                if (!reasons.isEmpty()) {
                    LOG.warn("default {} from {}, because {}", input ? "input" : "output", backend.name(),
                            String.join("; ", reasons));
                }
                return device;
            } catch (IOException e) {
                reasons.add(backend.name() + ": " + e.getMessage());
                last = e;
            }
        }
        String why = reasons.isEmpty()
                ? "no sound device is available yet: this build of Viz has no sound device backend"
                : "no sound device is available (" + String.join("; ", reasons) + ")";
        String instead = input
                ? "use --input " + INPUT_SPECS + " (in code: AudioDevices.wav(path), tone(hz) or silence())"
                : "use --output " + OUTPUT_SPECS + " (in code: AudioDevices.wavOutput(path) or nullOutput())";
        IOException e = new IOException(why + "; " + instead);
        if (last != null) {
            e.initCause(last);
        }
        throw e;
    }

    /**
     * What the default output plays, as an input: from the PulseAudio server when one answers, else
     * through PortAudio's ALSA PulseAudio plugin.
     *
     * @throws IOException when neither can open it; the message has both reasons
     */
    public static AudioDevice monitorInput() throws IOException {
        try {
            return PulseBackend.system().monitorInput();
        } catch (IOException pulse) {
            try {
                return PortAudioBackend.system().monitorInput();
            } catch (IOException portAudio) {
                portAudio.addSuppressed(pulse);
                throw new IOException("no monitor input (pulse: " + pulse.getMessage() + "; portaudio: "
                        + portAudio.getMessage() + ")", portAudio);
            }
        }
    }

    /**
     * The input a spec names: {@code wav:FILE}, {@code tone:HZ}, {@code silence} or {@code default}.
     *
     * @throws IllegalArgumentException for a spec that is malformed or names an output only
     * @throws IOException for {@code default} when there is no microphone
     */
    public static AudioDevice parseInput(String spec) throws IOException {
        String s = check(spec, "input", INPUT_SPECS + "|default");
        String kind = kind(s);
        switch (kind) {
            case "pulse":
                return PulseBackend.system().input(s);
            case "portaudio":
                return PortAudioBackend.system().input(s);
            case "javasound":
                return JavaSoundBackend.system().input(s);
            case "monitor":
                noArgument(s, "monitor");
                return monitorInput();
            case "wav":
                return wav(readableFile(s));
            case "tone":
                return tone(hz(s));
            case "silence":
                noArgument(s, "silence");
                return silence();
            case "default":
                noArgument(s, "default");
                return defaultInput();
            case "null":
                throw new IllegalArgumentException("input 'null': null is an output; for a silent input use silence"
                        + " (inputs: " + INPUT_SPECS + "|default)");
            default:
                throw new IllegalArgumentException("unknown input '" + spec + "': use " + INPUT_SPECS + "|"
                        + DEVICE_INPUT_SPECS + " (viz devices lists the devices)");
        }
    }

    /**
     * The output a spec names: {@code wav:FILE}, {@code null} or {@code default}.
     *
     * @throws IllegalArgumentException for a spec that is malformed or names an input only
     * @throws IOException for {@code default} when there is no speaker
     */
    public static AudioDevice parseOutput(String spec) throws IOException {
        String s = check(spec, "output", OUTPUT_SPECS + "|default");
        String kind = kind(s);
        switch (kind) {
            case "pulse":
                return PulseBackend.system().output(s);
            case "portaudio":
                return PortAudioBackend.system().output(s);
            case "javasound":
                return JavaSoundBackend.system().output(s);
            case "monitor":
                throw new IllegalArgumentException("output 'monitor': monitor is an input (it captures what the"
                        + " default output plays)");
            case "wav":
                return wavOutput(file(s, "output"));
            case "null":
                noArgument(s, "null");
                return nullOutput();
            case "default":
                noArgument(s, "default");
                return defaultOutput();
            case "tone":
            case "silence":
                throw new IllegalArgumentException("output '" + spec + "': " + kind + " is an input (outputs: "
                        + OUTPUT_SPECS + "|default)");
            default:
                throw new IllegalArgumentException("unknown output '" + spec + "': use " + OUTPUT_SPECS + "|"
                        + DEVICE_OUTPUT_SPECS + " (viz devices lists the devices)");
        }
    }

    /**
     * Every device of every backend, one line each, led by the id that {@code --input} and
     * {@code --output} accept; backends that cannot run say why and what to install.
     */
    public static List<String> describeDevices() {
        List<String> lines = new ArrayList<>();
        lines.add("wav:FILE, tone:HZ, silence          (inputs, always available)");
        lines.add("wav:FILE, null                      (outputs, always available)");
        lines.add("default                             (the first backend's default device)");
        for (SoundBackend backend : BACKENDS) {
            try {
                lines.addAll(backend.describeDevices());
            } catch (IOException e) {
                lines.add(backend.name() + ": " + (backend.isAvailable() ? "" : "not available: ") + e.getMessage());
            }
        }
        return lines;
    }

    private static String check(String spec, String direction, String valid) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty " + direction + ": use " + valid);
        }
        return spec.strip();
    }

    private static String kind(String spec) {
        int colon = spec.indexOf(':');
        return (colon < 0 ? spec : spec.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    private static void noArgument(String spec, String kind) {
        if (spec.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + spec + "': " + kind + " takes no argument");
        }
    }

    private static Path file(String spec, String direction) {
        String name = spec.substring(spec.indexOf(':') + 1);
        if (spec.indexOf(':') < 0 || name.isBlank()) {
            throw new IllegalArgumentException(direction + " '" + spec + "': name a file, as in wav:call.wav");
        }
        try {
            return Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(direction + " '" + spec + "': not a valid file name: " + e.getReason(), e);
        }
    }

    /** An input file must be there now: a missing one is a mistake to report at start, not when the call connects. */
    private static Path readableFile(String spec) {
        Path file = file(spec, "input");
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("input '" + spec + "': no such file " + file.toAbsolutePath());
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("input '" + spec + "': cannot read " + file.toAbsolutePath());
        }
        return file;
    }

    private static double hz(String spec) {
        int colon = spec.indexOf(':');
        String value = colon < 0 ? "" : spec.substring(colon + 1).strip();
        if (value.toLowerCase(Locale.ROOT).endsWith("hz")) {
            value = value.substring(0, value.length() - 2).strip();
        }
        double hz;
        try {
            hz = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("input '" + spec + "': give the tone's frequency in Hz, as in tone:440");
        }
        if (!(hz > 0) || hz >= 24_000 || Double.isNaN(hz)) {
            throw new IllegalArgumentException("input '" + spec + "': the frequency must be above 0 and below 24000 Hz");
        }
        return hz;
    }
}
