package dev.viz.audio.portaudio;

/**
 * Finds a pure tone in captured PCM with the Goertzel algorithm, window by window: capture from a
 * sound server may start a few hundred ms late, so the tests never assume sample alignment. A
 * magnitude is the tone's amplitude as a fraction of full scale (a sine of peak 16384 gives 0.5).
 */
public final class ToneDetector {
    /** Window length: 20 ms at 48 kHz, 50 Hz bins, so 1 kHz sits exactly on a bin. */
    public static final int WINDOW_SAMPLES = 960;

    private ToneDetector() {
    }

    /** The amplitude of {@code frequencyHz} in {@code pcm[offset .. offset + length)}, 0 to about 1. */
    public static double magnitude(short[] pcm, int offset, int length, double frequencyHz, int sampleRateHz) {
        double coefficient = 2 * Math.cos(2 * Math.PI * frequencyHz / sampleRateHz);
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < length; i++) {
            double s0 = pcm[offset + i] / 32768.0 + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        return Math.sqrt(Math.max(0, power)) / (length / 2.0);
    }

    /** Per-window magnitudes of {@code frequencyHz} over the whole capture. */
    public static double[] windows(short[] pcm, double frequencyHz, int sampleRateHz) {
        double[] m = new double[pcm.length / WINDOW_SAMPLES];
        for (int w = 0; w < m.length; w++) {
            m[w] = magnitude(pcm, w * WINDOW_SAMPLES, WINDOW_SAMPLES, frequencyHz, sampleRateHz);
        }
        return m;
    }

    /** Summary of a capture: how many windows carry the tone above a threshold, and the extremes. */
    public record Scan(int windows, int windowsWithTone, double maxMagnitude, double medianMagnitude,
            int firstWindowWithTone) {
        @Override
        public String toString() {
            return String.format("%d of %d windows with the tone, median %.4f, max %.4f, first at %d ms",
                    windowsWithTone, windows, medianMagnitude, maxMagnitude,
                    firstWindowWithTone < 0 ? -1 : firstWindowWithTone * WINDOW_SAMPLES / 48);
        }
    }

    public static Scan scan(short[] pcm, double frequencyHz, int sampleRateHz, double threshold) {
        double[] m = windows(pcm, frequencyHz, sampleRateHz);
        int with = 0;
        int first = -1;
        double max = 0;
        for (int w = 0; w < m.length; w++) {
            if (m[w] > threshold) {
                with++;
                if (first < 0) {
                    first = w;
                }
            }
            max = Math.max(max, m[w]);
        }
        double[] sorted = m.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted.length == 0 ? 0 : sorted[sorted.length / 2];
        return new Scan(m.length, with, max, median, first);
    }

    /** Fills {@code pcm} with a sine continuing from sample {@code n}; returns the next sample number. */
    public static long sine(short[] pcm, long n, double frequencyHz, int sampleRateHz, int amplitude) {
        for (int i = 0; i < pcm.length; i++, n++) {
            pcm[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * frequencyHz * n / sampleRateHz));
        }
        return n;
    }
}
