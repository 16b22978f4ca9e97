package dev.viz.audio;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioDevice.Direction;
import dev.viz.core.contract.AudioDeviceContract;
import dev.viz.core.testing.TestAudio;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The device contract against every device in viz-audio, paced and unpaced. */
class DeviceContractTests {
    /** 1.5 s of tone at 48 kHz: 37.5 frames of 40 ms, so 38 with the last one padded. */
    private static final int WAV_MS = 1_500;
    private static final long WAV_FRAMES = 38;

    @Nested
    class PacedWavFileInput extends AudioDeviceContract {
        @TempDir
        Path dir;

        @Override
        protected AudioDevice newDevice() throws Exception {
            return new WavFileInput(TestWavs.tone(dir.resolve("in.wav"), 48_000, 1, 16, 1000, WAV_MS));
        }

        @Override
        protected Direction direction() {
            return Direction.INPUT;
        }

        @Override
        protected boolean paced() {
            return true;
        }

        @Override
        protected long expectedFrames() {
            return WAV_FRAMES;
        }
    }

    @Nested
    class UnpacedWavFileInput extends AudioDeviceContract {
        @TempDir
        Path dir;

        @Override
        protected AudioDevice newDevice() throws Exception {
            return WavFileInput.unpaced(TestWavs.tone(dir.resolve("in.wav"), 44_100, 2, 24, 1000, WAV_MS));
        }

        @Override
        protected Direction direction() {
            return Direction.INPUT;
        }

        @Override
        protected boolean paced() {
            return false;
        }

        @Override
        protected long expectedFrames() {
            return WAV_FRAMES;
        }
    }

    @Nested
    class PacedWavFileOutput extends AudioDeviceContract {
        @TempDir
        Path dir;

        @Override
        protected AudioDevice newDevice() {
            return new WavFileOutput(dir.resolve("out.wav"));
        }

        @Override
        protected short[] played(AudioDevice device) {
            return TestAudio.samples(((WavFileOutput) device).file());
        }

        @Override
        protected long samplesTaken(AudioDevice device) {
            return ((WavFileOutput) device).dataBytes() / 2;
        }

        @Override
        protected Direction direction() {
            return Direction.OUTPUT;
        }

        @Override
        protected boolean paced() {
            return true;
        }
    }

    @Nested
    class UnpacedWavFileOutput extends AudioDeviceContract {
        @TempDir
        Path dir;

        @Override
        protected AudioDevice newDevice() {
            return WavFileOutput.unpaced(dir.resolve("out.wav"));
        }

        @Override
        protected short[] played(AudioDevice device) {
            return TestAudio.samples(((WavFileOutput) device).file());
        }

        @Override
        protected long samplesTaken(AudioDevice device) {
            return ((WavFileOutput) device).dataBytes() / 2;
        }

        @Override
        protected Direction direction() {
            return Direction.OUTPUT;
        }

        @Override
        protected boolean paced() {
            return false;
        }
    }

    @Nested
    class PacedTone extends AudioDeviceContract {
        @Override
        protected AudioDevice newDevice() {
            return new ToneInput(440);
        }

        @Override
        protected Direction direction() {
            return Direction.INPUT;
        }

        @Override
        protected boolean paced() {
            return true;
        }
    }

    @Nested
    class UnpacedTone extends AudioDeviceContract {
        @Override
        protected AudioDevice newDevice() {
            return ToneInput.unpaced(440);
        }

        @Override
        protected Direction direction() {
            return Direction.INPUT;
        }

        @Override
        protected boolean paced() {
            return false;
        }
    }

    @Nested
    class PacedSilence extends AudioDeviceContract {
        @Override
        protected AudioDevice newDevice() {
            return new SilenceInput();
        }

        @Override
        protected Direction direction() {
            return Direction.INPUT;
        }

        @Override
        protected boolean paced() {
            return true;
        }
    }

    @Nested
    class UnpacedSilence extends AudioDeviceContract {
        @Override
        protected AudioDevice newDevice() {
            return SilenceInput.unpaced();
        }

        @Override
        protected Direction direction() {
            return Direction.INPUT;
        }

        @Override
        protected boolean paced() {
            return false;
        }
    }

    @Nested
    class PacedNull extends AudioDeviceContract {
        @Override
        protected AudioDevice newDevice() {
            return new NullOutput();
        }

        @Override
        protected long samplesTaken(AudioDevice device) {
            return ((NullOutput) device).samplesWritten();
        }

        @Override
        protected Direction direction() {
            return Direction.OUTPUT;
        }

        @Override
        protected boolean paced() {
            return true;
        }
    }

    @Nested
    class UnpacedNull extends AudioDeviceContract {
        @Override
        protected AudioDevice newDevice() {
            return NullOutput.unpaced();
        }

        @Override
        protected long samplesTaken(AudioDevice device) {
            return ((NullOutput) device).samplesWritten();
        }

        @Override
        protected Direction direction() {
            return Direction.OUTPUT;
        }

        @Override
        protected boolean paced() {
            return false;
        }
    }

    @Nested
    class DefaultFactories extends AudioDeviceContract {
        @Override
        protected AudioDevice newDevice() {
            return AudioDevices.tone(1000);
        }

        @Override
        protected Direction direction() {
            return Direction.INPUT;
        }

        @Override
        protected boolean paced() {
            return true;
        }
    }
}
