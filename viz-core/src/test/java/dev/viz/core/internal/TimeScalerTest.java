package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimeScalerTest {
    private static final int RATE = 48_000;
    private static final int FRAME = 1920;

    /** A voiced sound: a 150 Hz fundamental with harmonics. */
    private static short[] voiced(int samples, double f0) {
        short[] x = new short[samples];
        for (int i = 0; i < samples; i++) {
            double t = (double) i / RATE;
            double v = 0;
            for (int h = 1; h <= 5; h++) {
                v += Math.sin(2 * Math.PI * f0 * h * t + h) / h;
            }
            x[i] = (short) (6000 * v);
        }
        return x;
    }

    /** The fundamental period, in samples, by autocorrelation over a plausible range. */
    private static int period(short[] x, int from, int length) {
        int best = 0;
        double bestScore = -1;
        for (int lag = RATE / 400; lag <= RATE / 60; lag++) {
            double xy = 0;
            double xx = 0;
            double yy = 0;
            for (int i = from; i < from + length; i++) {
                xy += (double) x[i] * x[i + lag];
                xx += (double) x[i] * x[i];
                yy += (double) x[i + lag] * x[i + lag];
            }
            double score = xy / Math.sqrt(xx * yy);
            if (score > bestScore) {
                bestScore = score;
                best = lag;
            }
        }
        return best;
    }

    @Test
    void shouldFindThePitchPeriod() {
        TimeScaler scaler = new TimeScaler(RATE, FRAME);
        assertEquals(RATE / 150, scaler.pitchPeriod(voiced(FRAME, 150), FRAME), 1);
        assertEquals(RATE / 220, scaler.pitchPeriod(voiced(FRAME, 220), FRAME), 1);
    }

    @Test
    void shouldRemoveOnePeriodAndKeepThePitch() {
        TimeScaler scaler = new TimeScaler(RATE, FRAME);
        short[] in = voiced(FRAME, 150);
        short[] out = new short[2 * FRAME];
        int n = scaler.shrink(in, FRAME, out);
        assertEquals(FRAME - RATE / 150, n, 1);
        assertEquals(RATE / 150, period(out, 0, n - RATE / 60 - 1), 2, "pitch after shrinking");
        assertEquals(in[0], out[0], 200);
        assertEquals(in[FRAME - 1], out[n - 1]);
        assertSmooth(out, n);
    }

    @Test
    void shouldInsertOnePeriodAndKeepThePitch() {
        TimeScaler scaler = new TimeScaler(RATE, 2 * FRAME);
        short[] in = voiced(FRAME, 150);
        short[] out = new short[2 * FRAME];
        int n = scaler.stretch(in, FRAME, out);
        assertEquals(FRAME + RATE / 150, n, 1);
        assertEquals(RATE / 150, period(out, 0, n - RATE / 60 - 1), 2, "pitch after stretching");
        assertEquals(in[0], out[0]);
        assertEquals(in[FRAME - 1], out[n - 1]);
        assertSmooth(out, n);
        // A second period on top of the first, as the playout does when far below its target.
        short[] twice = new short[3 * FRAME];
        int m = scaler.stretch(out, n, twice);
        assertEquals(n + RATE / 150, m, 1);
        assertSmooth(twice, m);
    }

    @Test
    void shouldCopyAFrameTooShortToScale() {
        TimeScaler scaler = new TimeScaler(RATE, FRAME);
        short[] in = voiced(200, 150);
        short[] out = new short[400];
        assertEquals(200, scaler.shrink(in, 200, out));
        assertEquals(in[100], out[100]);
    }

    /** No jump between neighbouring samples bigger than the signal itself makes. */
    private static void assertSmooth(short[] x, int n) {
        int maxStep = 0;
        for (int i = 1; i < n; i++) {
            maxStep = Math.max(maxStep, Math.abs(x[i] - x[i - 1]));
        }
        short[] reference = voiced(FRAME, 150);
        int referenceStep = 0;
        for (int i = 1; i < FRAME; i++) {
            referenceStep = Math.max(referenceStep, Math.abs(reference[i] - reference[i - 1]));
        }
        assertTrue(maxStep <= referenceStep * 1.5, "largest step " + maxStep + " against " + referenceStep);
    }
}
