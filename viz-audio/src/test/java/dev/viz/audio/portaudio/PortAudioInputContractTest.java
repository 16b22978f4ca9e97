package dev.viz.audio.portaudio;

import dev.viz.core.AudioDevice;
import dev.viz.core.contract.AudioDeviceContract;
import org.junit.jupiter.api.Assumptions;

/** The {@link AudioDevice} contract for a PortAudio input, on the real sound server. */
class PortAudioInputContractTest extends AudioDeviceContract {
    @Override
    protected AudioDevice newDevice() throws Exception {
        SoundServer.assumeRunning();
        Assumptions.assumeTrue(PortAudioBackend.system().isAvailable(), () -> String.valueOf(PortAudioBackend.system().unavailabilityCause()));
        return PortAudioBackend.system().input("viz_loopback");
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
