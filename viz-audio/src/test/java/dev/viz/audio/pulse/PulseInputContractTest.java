package dev.viz.audio.pulse;

import dev.viz.audio.portaudio.SoundServer;
import dev.viz.core.AudioDevice;
import dev.viz.core.contract.AudioDeviceContract;
import org.junit.jupiter.api.Assumptions;

/** The {@link AudioDevice} contract for a PulseAudio input, on the real sound server. */
class PulseInputContractTest extends AudioDeviceContract {
    @Override
    protected AudioDevice newDevice() throws Exception {
        SoundServer.assumeRunning();
        Assumptions.assumeTrue(PulseBackend.system().isAvailable(), () -> String.valueOf(PulseBackend.system().unavailabilityCause()));
        return PulseBackend.system().input(SoundServer.OUT_SINK + ".monitor");
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
