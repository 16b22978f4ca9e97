package dev.viz.audio.processing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The drift estimator on observations made up the way the canceller's filter gives them: the echo's
 * position every 250 ms with a tenth of a sample of noise, now and then a reflection taken for the
 * main path, and steps that are not drift (lost samples, a device restart).
 */
class DriftEstimatorTest {
    static final int RATE = 48_000;
    static final int EVERY = RATE / 4;

    @Test
    void shouldFindTheDriftFromFourSecondsOfNoisyPositions() {
        DriftEstimator d = new DriftEstimator(RATE);
        SplittableRandom random = new SplittableRandom(1);
        long c = 0;
        for (int i = 0; i < 17; i++) {
            d.add(c, -4000 + 87e-6 * c + 0.1 * random.nextGaussian());
            c += EVERY;
        }
        assertTrue(d.estimated());
        assertEquals(87, d.ppm(), 2);
    }

    @Test
    void shouldGiveNoEstimateBeforeFourSeconds() {
        DriftEstimator d = new DriftEstimator(RATE);
        for (int i = 0; i < 15; i++) {
            d.add(i * (long) RATE / 10, 100 + i); // 1.5 s of a steep slope
        }
        assertFalse(d.estimated());
    }

    @Test
    void shouldIgnoreAReflectionTakenForTheMainPath() {
        DriftEstimator d = new DriftEstimator(RATE);
        SplittableRandom random = new SplittableRandom(2);
        long c = 0;
        for (int i = 0; i < 120; i++) {
            boolean reflection = i > 20 && random.nextInt(5) == 0; // a fifth of them, 7 ms later
            d.add(c, -4000 - 40e-6 * c + (reflection ? 336 : 0) + 0.1 * random.nextGaussian());
            c += EVERY;
        }
        assertEquals(-40, d.ppm(), 0.5);
        assertTrue(d.rejected() > 10, "rejected " + d.rejected());
        assertEquals(0, d.restarts());
    }

    @Test
    void shouldStartOverWhenThePathSteps() {
        DriftEstimator d = new DriftEstimator(RATE);
        long c = 0;
        double step = 0;
        for (int i = 0; i < 200; i++) {
            if (i == 80) {
                step = 960; // the capture lost 20 ms: from now on the echo is 960 samples further on
            }
            d.add(c, 500 + 250e-6 * c + step);
            c += EVERY;
        }
        assertEquals(1, d.restarts());
        assertEquals(250, d.ppm(), 0.5);
    }

    @Test
    void shouldKeepTheSlopeAcrossSegmentsWithTheirOwnOffsets() {
        DriftEstimator d = new DriftEstimator(RATE);
        long c = 0;
        for (int i = 0; i < 160; i++) {
            if (i > 0 && i % 40 == 0) {
                d.newSegment(); // the resampling changed; the filter settles a few samples away
            }
            d.add(c, -60e-6 * c + 5 * (i / 40));
            c += EVERY;
        }
        assertEquals(-60, d.ppm(), 0.1);
    }

    @Test
    void shouldClampToAThousandPpm() {
        DriftEstimator d = new DriftEstimator(RATE);
        long c = 0;
        for (int i = 0; i < 40; i++) {
            d.add(c, 3000e-6 * c);
            c += EVERY;
        }
        assertEquals(DriftEstimator.MAX_PPM, d.ppm());
    }
}
