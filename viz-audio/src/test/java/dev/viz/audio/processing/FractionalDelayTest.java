package dev.viz.audio.processing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The reference interpolator: a sine read at fractional positions comes out as the sine at those
 * positions, and the response differs little from one phase to the next (what the canceller would
 * see as a path that changes).
 */
class FractionalDelayTest {
    static final int RATE = 48_000;

    static short[] sine(int size, double hz, double amplitude) {
        short[] ring = new short[size];
        for (int i = 0; i < size; i++) {
            ring[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * i / RATE));
        }
        return ring;
    }

    /** Largest error, relative to the amplitude, reading a sine at every 1/100 of a sample. */
    static double worstErrorDb(double hz) {
        double amplitude = 20_000;
        short[] ring = sine(4096, hz, amplitude);
        double worst = 0;
        for (int i = 100; i < 200; i++) {
            for (int f = 0; f < 100; f++) {
                double frac = f / 100.0;
                double expected = amplitude * Math.sin(2 * Math.PI * hz * (i + frac) / RATE);
                double got = FractionalDelay.read(ring, ring.length - 1, i, frac);
                worst = Math.max(worst, Math.abs(got - expected));
            }
        }
        return 20 * Math.log10(worst / amplitude);
    }

    @Test
    void shouldReadSpeechFrequenciesBetweenSamples() {
        for (double hz : new double[] {200, 1000, 3000, 8000}) {
            double db = worstErrorDb(hz);
            System.out.printf("fractional read of %.0f Hz: worst error %.1f dB%n", hz, db);
            // 16-bit rounding of the input alone is -86 dB of a 20000 amplitude.
            assertTrue(db < -60, hz + " Hz: " + db + " dB");
        }
    }

    @Test
    void shouldReadWholeSamplesNearlyAsTheyAre() {
        short[] ring = sine(4096, 440, 20_000);
        for (int i = 100; i < 200; i++) {
            assertEquals(ring[i], FractionalDelay.read(ring, ring.length - 1, i, 0), 2.0);
        }
    }
}
