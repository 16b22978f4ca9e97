package dev.viz.audio.processing;

/**
 * Finds the delay between the echo reference and the microphone: the lag at which the 4 ms
 * log-energy envelopes of the two correlate best.
 *
 * <p>Each envelope is the log energy of a 4 ms block with its running mean (about 0.5 s) taken out,
 * so loudness and the path's gain do not matter, only the rhythm of speech. For every new
 * microphone point the exponentially weighted (about 5 s) cross-correlation at every lag is
 * updated in place ({@code lags} multiply-adds per point, a few hundred per 10 ms), and twice a second
 * the best normalized correlation picks the lag, refined between points by a parabola through the
 * peak. A decision needs a clear peak (normalized correlation at least {@value #MIN_CONFIDENCE}),
 * so near-end speech, noise or a silent far end leave the previous decision in place.
 *
 * <p>Envelope resolution is 4 ms; the echo canceller's filter absorbs the rest (the reference is
 * handed on with a margin). All state is allocated in the constructor. Capture thread only.
 */
final class DelayEstimator {
    /** Envelope points per second (4 ms blocks). */
    static final int POINTS_PER_SECOND = 250;
    static final double MIN_CONFIDENCE = 0.35;
    private static final double FORGET = 1.0 - 1.0 / (5 * POINTS_PER_SECOND);
    private static final double MEAN_RATE = 1.0 / (POINTS_PER_SECOND / 2.0);
    private static final int DECIDE_EVERY_POINTS = POINTS_PER_SECOND / 2;
    private static final int FIRST_DECISION_POINTS = POINTS_PER_SECOND * 3 / 2;

    private final int lags;
    private final double[] cross;
    private final double[] refPower;
    private double micPower;

    private final double[] micPoints;
    private final int micMask;
    private final double[] refPoints;
    private final int refMask;

    private long micCount;
    private double micBlockEnergy;
    private int micBlockFill;
    private int block;
    private double micMean;
    private boolean micMeanSet;

    private long refNewest = -1;
    private double refMean;
    private boolean refMeanSet;

    private long nextToCorrelate;
    private long correlatedSinceReset;
    private boolean decisionPending;
    private double lagPoints = -1;
    private double confidence;

    /**
     * @param lags how many lags (points) to search, from 0
     * @param pendingPoints how many microphone points may wait for their reference
     */
    DelayEstimator(int lags, int pendingPoints) {
        this.lags = lags;
        this.cross = new double[lags];
        this.refPower = new double[lags];
        int micSize = Integer.highestOneBit(Math.max(pendingPoints * 2, 64) - 1) << 1;
        this.micPoints = new double[micSize];
        this.micMask = micSize - 1;
        int refSize = Integer.highestOneBit(lags + pendingPoints * 2 + 64 - 1) << 1;
        this.refPoints = new double[refSize];
        this.refMask = refSize - 1;
    }

    /** Block length in samples; set once from the first caller. */
    void blockSamples(int samples) {
        this.block = samples;
    }

    /** Appends captured samples; completes envelope points every block. */
    void addMic(short[] pcm, int offset, int n) {
        for (int i = 0; i < n; i++) {
            double s = pcm[offset + i];
            micBlockEnergy += s * s;
            if (++micBlockFill == block) {
                double e = 10 * Math.log10(micBlockEnergy / block + 1.0);
                if (!micMeanSet) {
                    micMean = e;
                    micMeanSet = true;
                }
                micMean += (e - micMean) * MEAN_RATE;
                micPoints[(int) micCount & micMask] = e - micMean;
                micCount++;
                micBlockEnergy = 0;
                micBlockFill = 0;
            }
        }
    }

    /** Microphone points before {@code point} will not be correlated (nothing was played then). */
    void skipTo(long point) {
        nextToCorrelate = Math.max(nextToCorrelate, point);
    }

    /** The reference's envelope point for absolute block {@code index} (mean square of its samples). */
    void addReferencePoint(long index, double meanSquare) {
        double e = 10 * Math.log10(meanSquare + 1.0);
        if (!refMeanSet) {
            refMean = e;
            refMeanSet = true;
        }
        refMean += (e - refMean) * MEAN_RATE;
        refPoints[(int) index & refMask] = e - refMean;
        refNewest = index;
    }

    /** Forgets the correlation; microphone points from {@code fromPoint} on are correlated afresh. */
    void reset(long fromPoint) {
        java.util.Arrays.fill(cross, 0);
        java.util.Arrays.fill(refPower, 0);
        micPower = 0;
        nextToCorrelate = fromPoint;
        correlatedSinceReset = 0;
        decisionPending = false;
    }

    /**
     * Correlates every microphone point whose reference has arrived. Microphone point {@code k} at
     * lag {@code l} pairs with reference block {@code k + baseBlocks - l}.
     */
    void correlate(long baseBlocks) {
        if (nextToCorrelate < micCount - micMask) {
            nextToCorrelate = micCount - micMask; // the reference stalled: drop what cannot wait
        }
        while (nextToCorrelate < micCount && nextToCorrelate + baseBlocks <= refNewest) {
            double m = micPoints[(int) nextToCorrelate & micMask];
            long newest = nextToCorrelate + baseBlocks;
            long oldestKept = refNewest - refMask;
            micPower = micPower * FORGET + m * m;
            for (int l = 0; l < lags; l++) {
                long index = newest - l;
                double r = index < 0 || index < oldestKept ? 0 : refPoints[(int) index & refMask];
                cross[l] = cross[l] * FORGET + m * r;
                refPower[l] = refPower[l] * FORGET + r * r;
            }
            nextToCorrelate++;
            correlatedSinceReset++;
            if (correlatedSinceReset >= FIRST_DECISION_POINTS && correlatedSinceReset % DECIDE_EVERY_POINTS == 0) {
                decide();
            }
        }
    }

    private void decide() {
        int best = -1;
        double bestValue = 0;
        for (int l = 0; l < lags; l++) {
            double denominator = Math.sqrt(micPower * refPower[l]);
            double value = denominator > 0 ? cross[l] / denominator : 0;
            if (value > bestValue) {
                bestValue = value;
                best = l;
            }
        }
        if (best < 0 || bestValue < MIN_CONFIDENCE) {
            return;
        }
        double refined = best;
        if (best > 0 && best < lags - 1) {
            double a = normalized(best - 1);
            double b = bestValue;
            double c = normalized(best + 1);
            double curvature = a - 2 * b + c;
            if (curvature < 0) {
                refined = best + 0.5 * (a - c) / curvature;
            }
        }
        lagPoints = refined;
        confidence = bestValue;
        decisionPending = true;
    }

    private double normalized(int l) {
        double denominator = Math.sqrt(micPower * refPower[l]);
        return denominator > 0 ? cross[l] / denominator : 0;
    }

    /** Whether a decision was made since the last call (consumes it). */
    boolean hasDecision() {
        boolean pending = decisionPending;
        decisionPending = false;
        return pending;
    }

    /** The last decided lag in points (fractional), or -1 before the first. */
    double lagPoints() {
        return lagPoints;
    }

    /** The normalized correlation of the last decision. */
    double confidence() {
        return confidence;
    }
}
