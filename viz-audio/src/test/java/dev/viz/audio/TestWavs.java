package dev.viz.audio;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Writes test WAV files of any PCM format with Java Sound, and measures tones (Goertzel). */
final class TestWavs {
    private TestWavs() {
    }

    /** A tone of {@code hz} at half of full scale on every channel. */
    static Path tone(Path file, int rateHz, int channels, int bits, double hz, int durationMs) throws IOException {
        return write(file, rateHz, channels, bits, durationMs, (i, c) -> 0.5 * Math.sin(2 * Math.PI * hz * i / rateHz));
    }

    /** Per-sample values in -1..1, by frame index and channel. */
    interface Signal {
        double at(int frame, int channel);
    }

    /** A PCM WAV file (8-bit unsigned, or 16/24/32-bit signed little-endian). */
    static Path write(Path file, int rateHz, int channels, int bits, int durationMs, Signal signal) throws IOException {
        boolean signed = bits > 8;
        AudioFormat format = new AudioFormat(signed ? AudioFormat.Encoding.PCM_SIGNED : AudioFormat.Encoding.PCM_UNSIGNED,
                rateHz, bits, channels, channels * bits / 8, rateHz, false);
        int frames = (int) ((long) rateHz * durationMs / 1000);
        int bytesPerSample = bits / 8;
        byte[] data = new byte[frames * channels * bytesPerSample];
        long full = (1L << (bits - 1)) - 1;
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) {
                long q = Math.round(signal.at(i, c) * full);
                if (!signed) {
                    q += 1L << (bits - 1);
                }
                int at = (i * channels + c) * bytesPerSample;
                for (int b = 0; b < bytesPerSample; b++) {
                    data[at + b] = (byte) (q >> (8 * b));
                }
            }
        }
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(data), format, frames)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    /**
     * The amplitude (0..1 of full scale) of the {@code hz} component in {@code pcm[from .. from + n)},
     * by the Goertzel algorithm.
     */
    static double amplitudeAt(short[] pcm, int from, int n, double hz, int rateHz) {
        double coefficient = 2 * Math.cos(2 * Math.PI * hz / rateHz);
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < from + n; i++) {
            double s = pcm[i] / 32768.0 + coefficient * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return 2 * Math.sqrt(Math.max(0, power)) / n;
    }
}
