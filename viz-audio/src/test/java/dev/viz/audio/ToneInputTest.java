package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ToneInputTest {
    @Test
    void shouldProduceAContinuousToneAtItsFrequencyAndAmplitude() throws IOException {
        AudioFormat format = AudioFormat.mono48k(20);
        ToneInput tone = ToneInput.unpaced(1000, 0.4);
        tone.open(AudioDevice.Direction.INPUT, format);
        short[] pcm = new short[48_000];
        for (int at = 0; at < pcm.length; at += format.frameSamples()) {
            assertEquals(format.frameSamples(), tone.read(pcm, at, format.frameSamples()));
        }
        tone.close();
        double at = TestWavs.amplitudeAt(pcm, 0, pcm.length, 1000, 48_000);
        double off = TestWavs.amplitudeAt(pcm, 0, pcm.length, 1010, 48_000);
        assertEquals(0.4, at, 0.005, "amplitude at 1000 Hz");
        assertTrue(off < 0.002, "a phase jump at a frame boundary would spread energy: " + off);
        assertEquals("tone:1000", tone.name());
    }

    @Test
    void shouldRefuseFrequenciesItCannotPlay() {
        assertThrows(IllegalArgumentException.class, () -> new ToneInput(0));
        assertThrows(IllegalArgumentException.class, () -> new ToneInput(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ToneInput(440, 1.5));
        ToneInput high = new ToneInput(9000);
        assertThrows(IOException.class, () -> high.open(AudioDevice.Direction.INPUT, AudioFormat.of(16_000, 1, 20)));
    }

    @Test
    void shouldProduceSilence() throws IOException {
        SilenceInput silence = SilenceInput.unpaced();
        silence.open(AudioDevice.Direction.INPUT, AudioFormat.mono48k(40));
        short[] pcm = new short[1920];
        java.util.Arrays.fill(pcm, (short) 99);
        assertEquals(1920, silence.read(pcm, 0, pcm.length));
        for (short s : pcm) {
            assertEquals(0, s);
        }
        silence.close();
    }
}
