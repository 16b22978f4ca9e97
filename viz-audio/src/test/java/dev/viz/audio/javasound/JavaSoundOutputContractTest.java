package dev.viz.audio.javasound;

import dev.viz.audio.portaudio.SoundServer;
import dev.viz.core.AudioDevice;
import dev.viz.core.contract.AudioDeviceContract;
import org.junit.jupiter.api.Assumptions;

/** The {@link AudioDevice} contract for a JavaSound output, on the real sound server. */
class JavaSoundOutputContractTest extends AudioDeviceContract {
    @Override
    protected AudioDevice newDevice() throws Exception {
        SoundServer.assumeRunning();
        Assumptions.assumeTrue(JavaSoundBackend.system().isAvailable(), () -> String.valueOf(JavaSoundBackend.system().unavailabilityCause()));
        DefaultLine.assumeOffered(false);
        return JavaSoundBackend.system().defaultOutput();
    }

    @Override
    protected AudioDevice.Direction direction() {
        return AudioDevice.Direction.OUTPUT;
    }

    @Override
    protected boolean paced() {
        return true;
    }
}
