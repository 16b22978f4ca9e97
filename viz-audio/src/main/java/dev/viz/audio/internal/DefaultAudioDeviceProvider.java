package dev.viz.audio.internal;

import dev.viz.audio.AudioDevices;
import dev.viz.core.AudioDevice;
import dev.viz.core.spi.AudioDeviceProvider;
import java.io.IOException;

/** Registers {@link AudioDevices#defaultInput()} and {@link AudioDevices#defaultOutput()} as the default devices. */
public final class DefaultAudioDeviceProvider implements AudioDeviceProvider {
    @Override
    public AudioDevice defaultInput() throws IOException {
        return AudioDevices.defaultInput();
    }

    @Override
    public AudioDevice defaultOutput() throws IOException {
        return AudioDevices.defaultOutput();
    }
}
