package dev.viz.audio.internal;

import java.util.SplittableRandom;

/**
 * A crude, deterministic speech-like signal for warming up codecs: syllables of voiced sound (a
 * glottal pulse train with a gliding pitch through two formant resonators), some starting with a
 * fricative noise burst, short gaps between syllables and longer pauses between phrases, over a
 * faint noise floor. It is not intelligible; it only makes an encoder take the paths real speech
 * takes (voiced, unvoiced, silence/DTX, onsets). Allocates its result: not for the hot path.
 */
public final class SyntheticSpeech {
    private static final double PEAK = 0.5 * Short.MAX_VALUE;

    private SyntheticSpeech() {
    }

    /**
     * {@code durationMs} of signal at {@code sampleRateHz}, the same on every one of {@code channels}
     * (interleaved).
     */
    public static short[] generate(int sampleRateHz, int channels, int durationMs, long seed) {
        int total = (int) ((long) sampleRateHz * durationMs / 1000);
        double[] mono = new double[total];
        SplittableRandom random = new SplittableRandom(seed);
        int at = random.nextInt(sampleRateHz / 10);
        int nextPause = sampleRateHz + random.nextInt(sampleRateHz / 2);
        while (at < total) {
            int syllable = ms(sampleRateHz, 120 + random.nextInt(180));
            at = syllable(mono, at, Math.min(syllable, total - at), sampleRateHz, random);
            at += ms(sampleRateHz, 30 + random.nextInt(70));
            if (at >= nextPause) {
                at += ms(sampleRateHz, 300 + random.nextInt(300));
                nextPause = at + sampleRateHz + random.nextInt(sampleRateHz / 2);
            }
        }
        double peak = 1e-9;
        for (double v : mono) {
            peak = Math.max(peak, Math.abs(v));
        }
        short[] out = new short[total * channels];
        for (int i = 0; i < total; i++) {
            double noiseFloor = (random.nextDouble() - 0.5) * 6;
            short s = (short) Math.round(mono[i] / peak * PEAK + noiseFloor);
            for (int c = 0; c < channels; c++) {
                out[i * channels + c] = s;
            }
        }
        return out;
    }

    private static int ms(int sampleRateHz, int ms) {
        return sampleRateHz / 1000 * ms;
    }

    private static int syllable(double[] out, int start, int length, int rateHz, SplittableRandom random) {
        int pos = start;
        if (random.nextInt(3) == 0) {
            int burst = Math.min(ms(rateHz, 40 + random.nextInt(50)), length / 3);
            double previous = 0;
            for (int i = 0; i < burst; i++) {
                double white = random.nextDouble() * 2 - 1;
                double envelope = Math.sin(Math.PI * i / burst);
                out[pos + i] += 0.15 * envelope * (white - previous);
                previous = white;
            }
            pos += burst;
            length -= burst;
        }
        double f0Start = 90 + random.nextDouble() * 130;
        double f0End = f0Start * (0.8 + random.nextDouble() * 0.4);
        Resonator f1 = new Resonator(300 + random.nextDouble() * 500, 80, rateHz);
        Resonator f2 = new Resonator(900 + random.nextDouble() * 1300, 120, rateHz);
        double phase = 1;
        for (int i = 0; i < length; i++) {
            double t = (double) i / length;
            double f0 = f0Start + (f0End - f0Start) * t;
            phase += f0 / rateHz;
            double pulse = 0;
            if (phase >= 1) {
                phase -= 1;
                pulse = 1;
            }
            double envelope = 0.5 - 0.5 * Math.cos(2 * Math.PI * t);
            double voiced = f1.next(pulse) + 0.6 * f2.next(pulse);
            out[pos + i] += envelope * voiced;
        }
        return pos + length;
    }

    /** A two-pole resonator: a formant. */
    private static final class Resonator {
        private final double a1;
        private final double a2;
        private double y1;
        private double y2;

        Resonator(double centreHz, double bandwidthHz, int rateHz) {
            double r = Math.exp(-Math.PI * bandwidthHz / rateHz);
            a1 = 2 * r * Math.cos(2 * Math.PI * centreHz / rateHz);
            a2 = -r * r;
        }

        double next(double x) {
            double y = x + a1 * y1 + a2 * y2;
            y2 = y1;
            y1 = y;
            return y;
        }
    }
}
