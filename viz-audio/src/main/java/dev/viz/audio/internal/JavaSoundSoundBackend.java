package dev.viz.audio.internal;

import dev.viz.audio.javasound.JavaSoundBackend;
import dev.viz.core.AudioDevice;
import java.io.IOException;

/** Java Sound ({@code javax.sound.sampled}), which needs nothing but the JDK: the fallback. */
final class JavaSoundSoundBackend implements SoundBackend {
    @Override
    public String name() {
        return "javasound";
    }

    @Override
    public boolean isAvailable() {
        return JavaSoundBackend.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return JavaSoundBackend.isAvailable() ? null : new IOException(JavaSoundBackend.unavailableMessage());
    }

    @Override
    public AudioDevice defaultInput() throws IOException {
        return JavaSoundBackend.defaultInput();
    }

    @Override
    public AudioDevice defaultOutput() throws IOException {
        return JavaSoundBackend.defaultOutput();
    }
}
