package dev.viz.audio;

import dev.viz.core.AudioDevice;
import java.io.IOException;
import java.util.List;

/**
 * A source of real sound devices: a PulseAudio server ({@link dev.viz.audio.pulse.PulseBackend}),
 * PortAudio ({@link dev.viz.audio.portaudio.PortAudioBackend}) or Java Sound ({@link
 * dev.viz.audio.javasound.JavaSoundBackend}). {@link AudioDevices#backends()}
 * lists them in the order {@link AudioDevices#defaultInput()} and {@link
 * AudioDevices#defaultOutput()} try them.
 *
 * <p>A backend probes what it needs (a native library, the JDK's sound system) once, at the first
 * query, in the manner of Netty's native transports: {@link #isAvailable()}, {@link
 * #unavailabilityCause()} (the loader's own error) and {@link #ensureAvailability()} (an {@link
 * IOException} saying what to install, caused by that error). Every method may be called from any
 * thread.
 */
public interface SoundBackend {
    /** A short name, the prefix of the device ids it owns: {@code pulse}, {@code portaudio}, {@code javasound}. */
    String name();

    /** The probe of what the backend needs (its native library, or the JDK's sound system). */
    NativeProbe<?> probe();

    /** Whether the backend can open devices here; the first call probes. */
    default boolean isAvailable() {
        return probe().isAvailable();
    }

    /** Why the backend cannot be used: the probe's original error, untouched; null when it can. */
    default Throwable unavailabilityCause() {
        return probe().unavailabilityCause();
    }

    /**
     * @throws IOException when the backend is unavailable: the message says what is missing and
     *     what to install, the cause is {@link #unavailabilityCause()}
     */
    default void ensureAvailability() throws IOException {
        probe().ensureAvailability();
    }

    /**
     * An input (microphone) for {@code spec} (the part after {@code NAME:}, or the whole id),
     * checked now and opened by the session.
     *
     * @throws IOException when the backend is unavailable or the spec names no input; the message
     *     lists the inputs there are
     */
    AudioDevice input(String spec) throws IOException;

    /** Like {@link #input(String)}, for an output (speaker). */
    AudioDevice output(String spec) throws IOException;

    /** The backend's default microphone. @throws IOException when there is none */
    default AudioDevice defaultInput() throws IOException {
        return input("default");
    }

    /** The backend's default speaker. @throws IOException when there is none */
    default AudioDevice defaultOutput() throws IOException {
        return output("default");
    }

    /**
     * One line per device, led by the id {@code --input} and {@code --output} accept, for {@code viz
     * devices}.
     *
     * @throws IOException when the backend is unavailable or cannot list its devices
     */
    List<String> describeDevices() throws IOException;
}
