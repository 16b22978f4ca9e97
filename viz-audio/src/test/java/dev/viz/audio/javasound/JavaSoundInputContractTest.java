package dev.viz.audio.javasound;

import dev.viz.audio.portaudio.SoundServer;
import dev.viz.core.AudioDevice;
import dev.viz.core.contract.AudioDeviceContract;
import org.junit.jupiter.api.Assumptions;

/** The {@link AudioDevice} contract for a JavaSound input, on the real sound server. */
class JavaSoundInputContractTest extends AudioDeviceContract {
    @Override
    protected AudioDevice newDevice() throws Exception {
        SoundServer.assumeRunning();
        Assumptions.assumeTrue(JavaSoundBackend.system().isAvailable(), () -> String.valueOf(JavaSoundBackend.system().unavailabilityCause()));
        DefaultLine.assumeOffered(true);
        return JavaSoundBackend.system().defaultInput();
    }

    @Override
    protected AudioDevice.Direction direction() {
        return AudioDevice.Direction.INPUT;
    }

    @Override
    protected boolean paced() {
        return true;
    }
}
