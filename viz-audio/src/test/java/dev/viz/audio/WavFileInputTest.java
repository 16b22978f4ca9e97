package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.internal.PcmFiles;
import dev.viz.audio.internal.PcmSource;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.testing.TestAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** WAV files of every common PCM format reach the session as 48 kHz mono 16-bit, tones at their pitch. */
class WavFileInputTest {
    private static final AudioFormat FORMAT = AudioFormat.mono48k(40);
    private static final double TONE_HZ = 1000;
    private static final int DURATION_MS = 1000;

    @TempDir
    Path dir;

    /** Reads a whole file through {@code device}; returns the samples, frame by frame. */
    private static short[] readAll(AudioDevice device, AudioFormat format) throws IOException {
        device.open(AudioDevice.Direction.INPUT, format);
        short[] frame = new short[format.frameSamples()];
        short[] all = new short[0];
        while (device.read(frame, 0, frame.length) != AudioDevice.END_OF_STREAM) {
            all = Arrays.copyOf(all, all.length + frame.length);
            System.arraycopy(frame, 0, all, all.length - frame.length, frame.length);
        }
        device.close();
        return all;
    }

    private static short[] readAll(PcmSource source) throws IOException {
        short[] buffer = new short[4096];
        short[] all = new short[0];
        int n;
        while ((n = source.read(buffer, 0, buffer.length)) > 0) {
            all = Arrays.copyOf(all, all.length + n);
            System.arraycopy(buffer, 0, all, all.length - n, n);
        }
        source.close();
        return all;
    }

    /** Checks a converted 1 s, 1 kHz tone: its pitch, its level and its length. */
    private static void assertTone(String what, short[] pcm, double expectedAmplitude, int expectedSamples) {
        int n = 4800; // 100 ms: 1000 Hz falls exactly on a Goertzel bin
        int from = 9600;
        double at = TestWavs.amplitudeAt(pcm, from, n, TONE_HZ, 48_000);
        double below = TestWavs.amplitudeAt(pcm, from, n, TONE_HZ * 0.9, 48_000);
        double above = TestWavs.amplitudeAt(pcm, from, n, TONE_HZ * 1.1, 48_000);
        double octave = TestWavs.amplitudeAt(pcm, from, n, TONE_HZ * 2, 48_000);
        System.out.printf("%s: amplitude at 1000 Hz %.3f (900 Hz %.4f, 1100 Hz %.4f, 2000 Hz %.4f), %d samples%n",
                what, at, below, above, octave, pcm.length);
        assertEquals(expectedAmplitude, at, 0.03, what + ": amplitude of the tone");
        assertTrue(below < 0.01 && above < 0.01 && octave < 0.01, what + ": energy away from the tone's frequency");
        assertTrue(Math.abs(pcm.length - expectedSamples) <= FORMAT.frameSamples(), what + ": length " + pcm.length);
    }

    @ParameterizedTest(name = "{0} Hz, {1} channel(s), {2}-bit")
    @CsvSource({"44100, 2, 24", "44100, 1, 16", "22050, 1, 8", "16000, 1, 16", "8000, 2, 8", "96000, 2, 16",
        "48000, 2, 32", "48000, 1, 24", "32000, 1, 16", "11025, 2, 16"})
    void shouldConvertEveryCommonFormatKeepingTheTonesPitch(int rateHz, int channels, int bits) throws IOException {
        Path file = TestWavs.tone(dir.resolve("tone.wav"), rateHz, channels, bits, TONE_HZ, DURATION_MS);
        short[] viaDevice = readAll(WavFileInput.unpaced(file), FORMAT);
        assertTone("Java Sound " + rateHz + "/" + channels + "/" + bits, viaDevice, 0.5, 48_000);
        short[] viaResampler = readAll(PcmFiles.open(file, 48_000, 1, PcmFiles.Conversion.LINEAR_RESAMPLER));
        assertTone("resampler " + rateHz + "/" + channels + "/" + bits, viaResampler, 0.5, 48_000);
    }

    @Test
    void shouldMixStereoToMonoByAveraging() throws IOException {
        Path file = TestWavs.write(dir.resolve("left.wav"), 44_100, 2, 16, DURATION_MS,
                (i, c) -> c == 0 ? 0.5 * Math.sin(2 * Math.PI * TONE_HZ * i / 44_100) : 0);
        assertTone("left only, Java Sound", readAll(WavFileInput.unpaced(file), FORMAT), 0.25, 48_000);
        assertTone("left only, resampler",
                readAll(PcmFiles.open(file, 48_000, 1, PcmFiles.Conversion.LINEAR_RESAMPLER)), 0.25, 48_000);
    }

    @Test
    void shouldConvertToOtherSessionFormats() throws IOException {
        Path file = TestWavs.tone(dir.resolve("tone.wav"), 44_100, 1, 16, TONE_HZ, DURATION_MS);
        AudioFormat stereo = AudioFormat.of(48_000, 2, 20);
        short[] pcm = readAll(WavFileInput.unpaced(file), stereo);
        short[] left = new short[pcm.length / 2];
        for (int i = 0; i < left.length; i++) {
            left[i] = pcm[2 * i];
            assertEquals(pcm[2 * i], pcm[2 * i + 1], "mono duplicated to both channels");
        }
        assertTone("mono to stereo", left, 0.5, 48_000);
    }

    @Test
    void shouldDeliverTheTestSpeechSampleForSample() throws IOException {
        Path file = TestAudio.copyTo(TestAudio.SPEECH, dir);
        short[] expected = TestAudio.samples(TestAudio.SPEECH);
        short[] read = readAll(WavFileInput.unpaced(file), FORMAT);
        int frames = (expected.length + FORMAT.frameSamples() - 1) / FORMAT.frameSamples();
        assertEquals(frames * FORMAT.frameSamples(), read.length, "whole frames, the last one padded");
        assertTrue(Arrays.equals(expected, Arrays.copyOf(read, expected.length)), "the samples as they are");
        for (int i = expected.length; i < read.length; i++) {
            assertEquals(0, read[i], "padding is silence");
        }
    }

    @Test
    void shouldStartAgainFromTheBeginningWhenReopened() throws IOException {
        Path file = TestAudio.copyTo(TestAudio.SPEECH, dir);
        WavFileInput input = WavFileInput.unpaced(file);
        short[] first = new short[1920];
        short[] again = new short[1920];
        input.open(AudioDevice.Direction.INPUT, FORMAT);
        input.read(first, 0, first.length);
        input.read(again, 0, again.length);
        input.close();
        input.open(AudioDevice.Direction.INPUT, FORMAT);
        input.read(again, 0, again.length);
        input.close();
        assertTrue(Arrays.equals(first, again));
    }

    @Test
    void shouldSayWhatIsWrongWithAFile() throws IOException {
        WavFileInput missing = new WavFileInput(dir.resolve("missing.wav"));
        assertThrows(NoSuchFileException.class, () -> missing.open(AudioDevice.Direction.INPUT, FORMAT));
        Path text = Files.writeString(dir.resolve("notes.wav"), "this is not audio at all, just words");
        IOException e = assertThrows(IOException.class,
                () -> new WavFileInput(text).open(AudioDevice.Direction.INPUT, FORMAT));
        assertTrue(e.getMessage().contains("notes.wav") && e.getMessage().contains("PCM WAV"), e.getMessage());
    }
}
