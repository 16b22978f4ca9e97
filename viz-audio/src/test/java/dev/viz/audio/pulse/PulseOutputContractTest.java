package dev.viz.audio.pulse;

import dev.viz.audio.portaudio.SoundServer;
import dev.viz.core.AudioDevice;
import dev.viz.core.contract.AudioDeviceContract;
import org.junit.jupiter.api.Assumptions;

/** The {@link AudioDevice} contract for a PulseAudio output, on the real sound server. */
class PulseOutputContractTest extends AudioDeviceContract {
    @Override
    protected AudioDevice newDevice() throws Exception {
        SoundServer.assumeRunning();
        Assumptions.assumeTrue(PulseBackend.system().isAvailable(), () -> String.valueOf(PulseBackend.system().unavailabilityCause()));
        return PulseBackend.system().output(SoundServer.OUT_SINK);
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
