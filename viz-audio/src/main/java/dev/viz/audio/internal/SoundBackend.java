package dev.viz.audio.internal;

import dev.viz.core.AudioDevice;
import java.io.IOException;

/**
 * A source of real sound devices (PortAudio, Java Sound, ...), tried in order by {@link
 * dev.viz.audio.AudioDevices#defaultInput()} and {@link dev.viz.audio.AudioDevices#defaultOutput()}.
 * A backend probes its native library once; when it is missing, {@link #isAvailable()} is false and
 * {@link #unavailabilityCause()} says what to install.
 */
public interface SoundBackend {
    /** A short name, for example {@code portaudio}. */
    String name();

    boolean isAvailable();

    /** Why the backend cannot be used (what to install), or null when it can. */
    Throwable unavailabilityCause();

    /** The system's default microphone. @throws IOException when there is none */
    AudioDevice defaultInput() throws IOException;

    /** The system's default speaker. @throws IOException when there is none */
    AudioDevice defaultOutput() throws IOException;
}
