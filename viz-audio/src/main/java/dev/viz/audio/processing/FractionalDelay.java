package dev.viz.audio.processing;

/**
 * Reads a ring of 16-bit samples at a fractional position: a polyphase Kaiser-windowed sinc of
 * {@value #TAPS} taps, {@value #PHASES} phases, linear between neighbouring phases. This is how the
 * echo reference is resampled by a clock drift of a few ppm: the read position advances by
 * {@code 1 + drift} per captured sample, so the fraction turns slowly through every phase.
 *
 * <p>What matters for the canceller is not the filter's absolute response (any fixed filtering of
 * the reference is absorbed by the adaptive filter) but how little the response changes from one
 * phase to the next: every phase is normalized to unity gain at DC, and a sine up to 8 kHz read at any
 * fraction is within -75 dB of its amplitude (FractionalDelayTest). The cut-off is 0.9 of Nyquist
 * (21.6 kHz at 48 kHz).
 *
 * <p>The table is computed once per class and never written after; {@link #read} allocates nothing
 * and may be called from any thread.
 */
final class FractionalDelay {
    /** Filter length; the value at position {@code i + f} uses samples {@code i - 15 .. i + 16}. */
    static final int TAPS = 32;
    /** Samples before the integer position a read needs. */
    static final int BEFORE = TAPS / 2 - 1;
    /** Samples after the integer position a read needs. */
    static final int AFTER = TAPS / 2;
    static final int PHASES = 256;
    private static final double CUTOFF = 0.9;
    private static final double BETA = 8.0;
    /** Rows 0..PHASES: row r holds the taps for fraction r / PHASES. */
    private static final double[] TABLE = table();

    private FractionalDelay() {
    }

    private static double[] table() {
        double[] t = new double[(PHASES + 1) * TAPS];
        double i0Beta = besselI0(BETA);
        for (int r = 0; r <= PHASES; r++) {
            double frac = r / (double) PHASES;
            double sum = 0;
            for (int k = 0; k < TAPS; k++) {
                double x = k - BEFORE - frac; // sample time relative to the position read
                double u = x / AFTER;
                double window = Math.abs(u) >= 1 ? 0 : besselI0(BETA * Math.sqrt(1 - u * u)) / i0Beta;
                double arg = Math.PI * CUTOFF * x;
                double sinc = x == 0 ? 1 : Math.sin(arg) / arg;
                t[r * TAPS + k] = CUTOFF * sinc * window;
                sum += t[r * TAPS + k];
            }
            for (int k = 0; k < TAPS; k++) {
                t[r * TAPS + k] /= sum;
            }
        }
        return t;
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        for (int k = 1; k < 50; k++) {
            term *= (x / (2 * k)) * (x / (2 * k));
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return sum;
    }

    /**
     * The signal in {@code ring} (indexed by {@code absolute & mask}) at {@code index + frac}.
     * Samples {@code index - BEFORE .. index + AFTER} must be valid; the caller checks.
     *
     * @param frac 0 (inclusive) to 1 (exclusive)
     */
    static double read(short[] ring, int mask, long index, double frac) {
        double scaled = frac * PHASES;
        int phase = (int) scaled;
        double mu = scaled - phase;
        int a = phase * TAPS;
        int b = a + TAPS;
        long first = index - BEFORE;
        double lo = 0;
        double hi = 0;
        for (int k = 0; k < TAPS; k++) {
            double s = ring[(int) (first + k) & mask];
            lo += s * TABLE[a + k];
            hi += s * TABLE[b + k];
        }
        return lo + (hi - lo) * mu;
    }
}
