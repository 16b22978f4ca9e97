package dev.viz.core.spi;

import dev.viz.core.AudioDevice;
import java.io.IOException;

/** Supplies the default microphone and speaker. The provider with the highest {@link #priority()} wins. */
public interface AudioDeviceProvider {
    /** @throws IOException saying what to install or which option works instead, when there is no device */
    AudioDevice defaultInput() throws IOException;

    /** @throws IOException saying what to install or which option works instead, when there is no device */
    AudioDevice defaultOutput() throws IOException;

    default int priority() {
        return 0;
    }
}
