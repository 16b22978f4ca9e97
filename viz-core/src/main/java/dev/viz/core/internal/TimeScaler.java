package dev.viz.core.internal;

/**
 * Makes a frame of speech shorter or longer by whole pitch periods, so its pitch does not change:
 * the playout's way to follow clock drift and to move its delay without dropping speech.
 *
 * <p>It finds the pitch period {@code T} of the frame (normalized cross-correlation, searched
 * coarsely on a 4× decimated copy and refined at the full rate), then removes one period by
 * cross-fading the first period into the second, or inserts one by cross-fading a repeat of the
 * first period back into the signal:
 *
 * <pre>
 *   shrink:  out = xfade(x[0, T) -&gt; x[T, 2T)) + x[2T, n)              n - T samples
 *   stretch: out = x[0, T) + xfade(x[T, 2T) -&gt; x[0, T)) + x[T, n)     n + T samples
 * </pre>
 *
 * Both begin with {@code x[0]} and end with {@code x[n-1]}, so consecutive frames join without a
 * click. On unvoiced sound or noise any period will do, and the cross-fade hides the seam. Playback
 * thread only; allocates nothing.
 */
final class TimeScaler {
    private static final int DECIMATION = 4;
    /** Highest pitch searched: 400 Hz. */
    private static final int MAX_PITCH_HZ = 400;
    /** Lowest pitch searched: 60 Hz (limited further by the frame: two periods must fit). */
    private static final int MIN_PITCH_HZ = 60;
    /** A lag this close to the best match counts as the period. */
    private static final double NEAR_BEST = 0.9;

    private final int minLag;
    private final int maxLag;
    private final float[] decimated;
    private final double[] scores;

    /** @param maxFrameSamples the longest frame this will scale */
    TimeScaler(int sampleRateHz, int maxFrameSamples) {
        this.minLag = sampleRateHz / MAX_PITCH_HZ;
        this.maxLag = sampleRateHz / MIN_PITCH_HZ;
        this.decimated = new float[maxFrameSamples / DECIMATION + 1];
        this.scores = new double[maxLag / DECIMATION + 2];
    }

    /** The shortest frame this can scale. */
    int minFrameSamples() {
        return 2 * minLag + 2 * DECIMATION;
    }

    /**
     * Writes {@code in[0, n)} without one pitch period to {@code out}.
     *
     * @return the samples written: {@code n - T}, or {@code n} (a plain copy) when the frame is too
     *     short to scale
     */
    int shrink(short[] in, int n, short[] out) {
        if (n < minFrameSamples()) {
            System.arraycopy(in, 0, out, 0, n);
            return n;
        }
        int period = pitchPeriod(in, n);
        crossFade(in, 0, in, period, out, 0, period);
        System.arraycopy(in, 2 * period, out, period, n - 2 * period);
        return n - period;
    }

    /**
     * Writes {@code in[0, n)} with one more pitch period to {@code out}, which must have room for
     * {@code n + min(n / 2, sampleRateHz / 60)} samples.
     *
     * @return the samples written: {@code n + T}, or {@code n} when the frame is too short to scale
     */
    int stretch(short[] in, int n, short[] out) {
        if (n < minFrameSamples()) {
            System.arraycopy(in, 0, out, 0, n);
            return n;
        }
        int period = pitchPeriod(in, n);
        System.arraycopy(in, 0, out, 0, period);
        crossFade(in, period, in, 0, out, period, period);
        System.arraycopy(in, period, out, 2 * period, n - period);
        return n + period;
    }

    /** out[at + i] fades from a[aFrom + i] to b[bFrom + i] over {@code length} samples. */
    private static void crossFade(short[] a, int aFrom, short[] b, int bFrom, short[] out, int at, int length) {
        float step = 1f / length;
        for (int i = 0; i < length; i++) {
            float w = (i + 0.5f) * step;
            float v = a[aFrom + i] * (1f - w) + b[bFrom + i] * w;
            out[at + i] = (short) Math.round(v);
        }
    }

    /** The lag in [minLag, min(maxLag, n / 2)] at which the frame best matches itself. */
    int pitchPeriod(short[] x, int n) {
        int maxLagHere = Math.min(maxLag, n / 2);
        int dn = n / DECIMATION;
        for (int i = 0; i < dn; i++) {
            int base = i * DECIMATION;
            float sum = 0;
            for (int k = 0; k < DECIMATION; k++) {
                sum += x[base + k];
            }
            decimated[i] = sum;
        }
        int dMin = Math.max(1, minLag / DECIMATION);
        int dMax = Math.max(dMin, maxLagHere / DECIMATION);
        int window = dn - dMax;
        double bestScore = -2;
        for (int lag = dMin; lag <= dMax; lag++) {
            double score = normalizedCorrelation(decimated, lag, window);
            scores[lag] = score;
            if (score > bestScore) {
                bestScore = score;
            }
        }
        // A periodic sound matches itself at every multiple of its period: take the shortest lag
        // that matches nearly as well as the best (a peak), not a multiple of it.
        int best = dMin;
        for (int lag = dMin; lag <= dMax; lag++) {
            boolean peak = (lag == dMin || scores[lag] >= scores[lag - 1]) && (lag == dMax || scores[lag] >= scores[lag + 1]);
            if (peak && scores[lag] >= NEAR_BEST * bestScore) {
                best = lag;
                break;
            }
        }
        int centre = best * DECIMATION;
        int from = Math.max(minLag, centre - DECIMATION);
        int to = Math.min(maxLagHere, centre + DECIMATION);
        int fullWindow = n - maxLagHere;
        int refined = Math.min(Math.max(centre, minLag), maxLagHere);
        double refinedScore = -2;
        for (int lag = from; lag <= to; lag++) {
            double score = normalizedCorrelation(x, lag, fullWindow);
            if (score > refinedScore) {
                refinedScore = score;
                refined = lag;
            }
        }
        return refined;
    }

    private static double normalizedCorrelation(float[] x, int lag, int window) {
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < window; i++) {
            double a = x[i];
            double b = x[i + lag];
            xy += a * b;
            xx += a * a;
            yy += b * b;
        }
        return xx == 0 || yy == 0 ? 0 : xy / Math.sqrt(xx * yy);
    }

    private static double normalizedCorrelation(short[] x, int lag, int window) {
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < window; i++) {
            double a = x[i];
            double b = x[i + lag];
            xy += a * b;
            xx += a * a;
            yy += b * b;
        }
        return xx == 0 || yy == 0 ? 0 : xy / Math.sqrt(xx * yy);
    }
}
