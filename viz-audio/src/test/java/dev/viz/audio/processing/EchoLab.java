package dev.viz.audio.processing;

import dev.viz.core.AudioFormat;
import dev.viz.core.AudioProcessor;
import dev.viz.core.testing.TestAudio;
import java.util.SplittableRandom;

/**
 * A software echo path for measuring echo cancellation exactly: a synthetic room impulse response
 * (a delay, a direct path and a decaying noise tail from a fixed seed), convolution, mixing, and
 * the figures (ERLE, levels over time). Test code; the processing under test is real.
 */
final class EchoLab {
    static final int RATE = 48_000;
    /** 24 s of continuous speech (the far end). */
    static final String FAR_END = "/speech/far-end-24s-48k.wav";

    private EchoLab() {
    }

    static short[] farEnd() {
        return TestAudio.samples(FAR_END);
    }

    /** The near end: the viz-core clip with gaps (12 s). */
    static short[] nearEnd() {
        return TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);
    }

    static short[] slice(short[] pcm, double fromS, double toS) {
        int from = (int) (fromS * RATE);
        int to = (int) Math.min(pcm.length, toS * RATE);
        return java.util.Arrays.copyOfRange(pcm, from, to);
    }

    /**
     * A room: {@code delayMs} of pure delay, then a direct path of gain 1 and a noise tail decaying by
     * 60 dB in {@code rt60Ms}, {@code lengthMs} long, the whole scaled to {@code gainDb} of energy gain.
     */
    static double[] room(long seed, int delayMs, int lengthMs, double rt60Ms, double gainDb) {
        SplittableRandom random = new SplittableRandom(seed);
        int delay = RATE * delayMs / 1000;
        int length = RATE * lengthMs / 1000;
        double[] h = new double[delay + length];
        h[delay] = 1.0;
        // A couple of early reflections, then the diffuse tail.
        h[delay + RATE * 3 / 1000] = -0.5;
        h[delay + RATE * 7 / 1000] = 0.35;
        double decayPerSample = Math.log(1000) / (rt60Ms / 1000 * RATE);
        for (int i = RATE / 1000; i < length; i++) {
            h[delay + i] += 0.08 * random.nextGaussian() * Math.exp(-decayPerSample * i);
        }
        double energy = 0;
        for (double v : h) {
            energy += v * v;
        }
        double scale = Math.pow(10, gainDb / 20) / Math.sqrt(energy);
        for (int i = 0; i < h.length; i++) {
            h[i] *= scale;
        }
        return h;
    }

    /** x convolved with h, truncated to x's length (FFT overlap-add). */
    static double[] convolve(short[] x, double[] h) {
        int block = 1 << 15;
        int n = Integer.highestOneBit(block + h.length - 1) << 1;
        double[] hr = new double[n];
        double[] hi = new double[n];
        System.arraycopy(h, 0, hr, 0, h.length);
        fft(hr, hi, false);
        double[] y = new double[x.length + h.length];
        double[] re = new double[n];
        double[] im = new double[n];
        for (int start = 0; start < x.length; start += block) {
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
            int len = Math.min(block, x.length - start);
            for (int i = 0; i < len; i++) {
                re[i] = x[start + i];
            }
            fft(re, im, false);
            for (int k = 0; k < n; k++) {
                double r = re[k] * hr[k] - im[k] * hi[k];
                double i = re[k] * hi[k] + im[k] * hr[k];
                re[k] = r;
                im[k] = i;
            }
            fft(re, im, true);
            for (int i = 0; i < len + h.length - 1 && start + i < y.length; i++) {
                y[start + i] += re[i];
            }
        }
        return java.util.Arrays.copyOf(y, x.length);
    }

    private static void fft(double[] re, double[] im, boolean inverse) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double angle = 2 * Math.PI / len * (inverse ? 1 : -1);
            double wr = Math.cos(angle);
            double wi = Math.sin(angle);
            for (int i = 0; i < n; i += len) {
                double cr = 1;
                double ci = 0;
                for (int j = 0; j < len / 2; j++) {
                    int a = i + j;
                    int b = a + len / 2;
                    double vr = re[b] * cr - im[b] * ci;
                    double vi = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - vr;
                    im[b] = im[a] - vi;
                    re[a] += vr;
                    im[a] += vi;
                    double t = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = t;
                }
            }
        }
        if (inverse) {
            for (int i = 0; i < n; i++) {
                re[i] /= n;
                im[i] /= n;
            }
        }
    }

    /** The sum of the signals, each with its gain in dB, rounded and clipped to 16 bits. */
    static short[] mix(int length, Object... signalsAndGainsDb) {
        double[] sum = new double[length];
        for (int s = 0; s < signalsAndGainsDb.length; s += 2) {
            double gain = Math.pow(10, ((Number) signalsAndGainsDb[s + 1]).doubleValue() / 20);
            Object signal = signalsAndGainsDb[s];
            for (int i = 0; i < length; i++) {
                double v = signal instanceof short[] ? (i < ((short[]) signal).length ? ((short[]) signal)[i] : 0)
                        : (i < ((double[]) signal).length ? ((double[]) signal)[i] : 0);
                sum[i] += v * gain;
            }
        }
        short[] out = new short[length];
        for (int i = 0; i < length; i++) {
            out[i] = (short) Math.max(-32768, Math.min(32767, Math.round(sum[i])));
        }
        return out;
    }

    /**
     * Runs a call's worth of frames through the processor as the engine would: each frame, what was
     * played, then what was captured. Returns what would be encoded.
     */
    static short[] run(AudioProcessor processor, AudioFormat format, short[] played, short[] captured) {
        int n = format.frameSamples();
        int frames = captured.length / n;
        short[] out = java.util.Arrays.copyOf(captured, frames * n);
        short[] play = new short[n];
        long frameNs = format.frameMs() * 1_000_000L;
        for (int f = 0; f < frames; f++) {
            java.util.Arrays.fill(play, (short) 0);
            if (played != null && (f + 1) * n <= played.length) {
                System.arraycopy(played, f * n, play, 0, n);
            }
            processor.played(play, 0, n, f * frameNs);
            processor.process(out, f * n, f * frameNs + frameNs);
        }
        return out;
    }

    static double energy(short[] pcm, int from, int to) {
        double sum = 0;
        for (int i = from; i < Math.min(to, pcm.length); i++) {
            sum += (double) pcm[i] * pcm[i];
        }
        return sum;
    }

    static double energy(double[] pcm, int from, int to) {
        double sum = 0;
        for (int i = from; i < Math.min(to, pcm.length); i++) {
            sum += pcm[i] * pcm[i];
        }
        return sum;
    }

    /**
     * {@code x} as a loudspeaker whose clock runs {@code ppm} parts per million faster than the
     * microphone's hears it: sample {@code n} of the result is {@code x} at {@code n (1 + ppm / 10^6)},
     * linearly interpolated. Over 24 s, 100 ppm moves the echo by 2.4 ms (115 samples).
     */
    static short[] drift(short[] x, double ppm) {
        double step = 1 + ppm / 1e6;
        int length = (int) ((x.length - 1) / step);
        short[] out = new short[length];
        for (int n = 0; n < length; n++) {
            double t = n * step;
            int i = (int) t;
            double frac = t - i;
            double v = x[i] + (i + 1 < x.length ? (x[i + 1] - x[i]) * frac : 0);
            out[n] = (short) Math.round(v);
        }
        return out;
    }

    /** Echo return loss enhancement in dB over [fromS, toS): echo in the capture against what is left. */
    static double erleDb(short[] captured, short[] processed, double fromS, double toS) {
        int from = (int) (fromS * RATE);
        int to = (int) (toS * RATE);
        return 10 * Math.log10(energy(captured, from, to) / Math.max(1, energy(processed, from, to)));
    }

    /** RMS level in dBFS. */
    static double dbfs(short[] pcm, int from, int to) {
        double e = energy(pcm, from, to) / Math.max(1, Math.min(to, pcm.length) - from);
        return 10 * Math.log10(e / (32768.0 * 32768.0) + 1e-12);
    }

    /** RMS level in dBFS of every {@code windowMs} window. */
    static double[] levels(short[] pcm, int windowMs) {
        int w = RATE * windowMs / 1000;
        double[] out = new double[pcm.length / w];
        for (int i = 0; i < out.length; i++) {
            out[i] = dbfs(pcm, i * w, (i + 1) * w);
        }
        return out;
    }
}
