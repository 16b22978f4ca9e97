package dev.viz.audio.internal;

import dev.viz.audio.portaudio.PortAudioBackend;
import dev.viz.core.AudioDevice;
import java.io.IOException;

/** PortAudio (the system's libportaudio through JNA) as the first sound backend tried. */
final class PortAudioSoundBackend implements SoundBackend {
    @Override
    public String name() {
        return "portaudio";
    }

    @Override
    public boolean isAvailable() {
        return PortAudioBackend.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return PortAudioBackend.isAvailable() ? null : new IOException(PortAudioBackend.unavailableMessage());
    }

    @Override
    public AudioDevice defaultInput() throws IOException {
        return PortAudioBackend.defaultInput();
    }

    @Override
    public AudioDevice defaultOutput() throws IOException {
        return PortAudioBackend.defaultOutput();
    }
}
