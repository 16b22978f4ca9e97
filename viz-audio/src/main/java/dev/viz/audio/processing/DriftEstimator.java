package dev.viz.audio.processing;

/**
 * The clock drift between the loudspeaker and the microphone, as the least-squares slope of the
 * echo's position against the captured-sample count.
 *
 * <p>Each observation is a captured-sample count {@code c} and the position of the echo's main
 * path at that time, {@code x = p - c}, in samples, where {@code p} is the played-sample number
 * heard at {@code c} ({@link EchoReference} works it out from the canceller's filter and its own
 * alignment and resampling, so it does not depend on the compensation already applied). With the
 * loudspeaker's clock {@code d} faster, {@code x} grows by {@code d} per captured sample. The fit is
 * exponentially weighted (a memory of about {@value #MEMORY_POINTS} observations; at 4 a second,
 * 30 s), with the time origin moved to the newest observation each time so the sums stay small.
 *
 * <p>The observations come in segments ({@link #newSegment}), one per resampling rate: when the
 * compensation changes, the canceller's filter stops lagging the echo it was chasing and settles a few
 * samples away, a step that is not drift. Each segment has its own intercept and all share the slope
 * (the pooled within-segment least squares), and older segments count {@value #HISTORY_WEIGHT} as much
 * at each new one, since they were observed with the echo moving faster against the reference.
 *
 * <p>Robustness: an observation more than {@value #OUTLIER_SAMPLES} samples off the fitted line is
 * not used (the filter's peak jumped to a reflection, or is not converged); {@value #OUTLIERS_TO_RESTART}
 * in a row mean the path itself moved (an xrun lost samples on one side, a device restarted) and the
 * fit starts over, keeping the last estimate meanwhile. An estimate is given only from
 * {@value #MIN_POINTS} observations spanning at least {@value #MIN_SPAN_S} s, and it is clamped to
 * &plusmn;{@value #MAX_PPM} ppm.
 *
 * <p>Capture thread only; allocates nothing.
 */
final class DriftEstimator {
    static final int MEMORY_POINTS = 120;
    static final double OUTLIER_SAMPLES = 24;
    static final int OUTLIERS_TO_RESTART = 12;
    static final int MIN_POINTS = 12;
    static final double MIN_SPAN_S = 4;
    static final double MAX_PPM = 1000;
    private static final double FORGET = 1.0 - 1.0 / MEMORY_POINTS;
    /** Points a segment needs before its own line judges outliers (until then, the previous line does). */
    private static final int SEGMENT_POINTS_OWN_LINE = 4;
    /**
     * At a new segment the older ones count this much less: they were observed with the echo moving
     * faster against the reference, which the canceller's filter follows in steps, so they are
     * noisier than what comes after a better compensation.
     */
    static final double HISTORY_WEIGHT = 0.1;

    private final double minSpanSamples;

    // Closed segments: their within-segment sums of squares and cross products, forgotten alike.
    private double closedTT;
    private double closedTX;
    // The current segment, time origin at lastC: t = c - lastC, x measured from xOrigin.
    private double sw;
    private double st;
    private double stt;
    private double sx;
    private double stx;
    private int segmentPoints;
    private double xOrigin;
    private long lastC;
    private long firstC;
    private int points;
    private int outliersInRow;
    // The line outliers are judged against while the current segment is short.
    private double lineSlope;
    private double lineX;
    private long lineC;
    private boolean lineSet;

    private double ppm;
    private boolean estimated;
    private long observations;
    private long rejected;
    private long restarts;

    DriftEstimator(int sampleRateHz) {
        this.minSpanSamples = MIN_SPAN_S * sampleRateHz;
    }

    /** Adds an observation: at captured sample {@code c}, the echo's main path is at {@code x = p - c}. */
    void add(long c, double x) {
        observations++;
        if (lineSet || segmentPoints >= SEGMENT_POINTS_OWN_LINE) {
            double predicted = segmentPoints >= SEGMENT_POINTS_OWN_LINE ? segmentAt(c) : lineX + lineSlope * (c - lineC);
            if (Math.abs(x - predicted) > OUTLIER_SAMPLES) {
                rejected++;
                if (++outliersInRow >= OUTLIERS_TO_RESTART) {
                    restart();
                    restarts++;
                }
                return;
            }
        }
        outliersInRow = 0;
        if (points == 0) {
            firstC = c;
        }
        if (segmentPoints == 0) {
            xOrigin = x;
            lastC = c;
        }
        // Move the origin to c, forget a little, add the point at t = 0.
        double d = c - lastC;
        stt = (stt - 2 * d * st + d * d * sw) * FORGET;
        stx = (stx - d * sx) * FORGET;
        st = (st - d * sw) * FORGET;
        sw *= FORGET;
        sx *= FORGET;
        closedTT *= FORGET;
        closedTX *= FORGET;
        lastC = c;
        sw += 1;
        sx += x - xOrigin;
        segmentPoints++;
        points++;
        double tt = closedTT + stt - st * st / sw;
        double tx = closedTX + stx - st * sx / sw;
        if (points >= MIN_POINTS && c - firstC >= minSpanSamples && tt > 0) {
            ppm = Math.max(-MAX_PPM, Math.min(MAX_PPM, tx / tt * 1e6));
            estimated = true;
        }
        if (segmentPoints >= SEGMENT_POINTS_OWN_LINE) {
            lineSlope = slope();
            lineX = segmentAt(c);
            lineC = c;
            lineSet = true;
        }
    }

    /** The pooled slope: every segment's own, weighted by its spread in time. */
    private double slope() {
        double tt = closedTT + stt - st * st / sw;
        double tx = closedTX + stx - st * sx / sw;
        return tt > 0 ? tx / tt : 0;
    }

    /** The current segment's line (pooled slope through its own mean) at captured sample {@code c}. */
    private double segmentAt(long c) {
        double slope = slope();
        double meanT = st / sw;
        double meanX = sx / sw;
        return xOrigin + meanX + slope * (c - lastC - meanT);
    }

    /**
     * Starts a new segment: observations from now on get an intercept of their own, sharing the
     * slope. Called when the resampling of the reference changed, after which the canceller's filter
     * settles to a slightly different place (it no longer lags a moving echo); that step is not drift.
     */
    void newSegment() {
        if (segmentPoints > 0) {
            closedTT += stt - st * st / sw;
            closedTX += stx - st * sx / sw;
        }
        closedTT *= HISTORY_WEIGHT;
        closedTX *= HISTORY_WEIGHT;
        sw = 0;
        st = 0;
        stt = 0;
        sx = 0;
        stx = 0;
        segmentPoints = 0;
    }

    private void restart() {
        closedTT = 0;
        closedTX = 0;
        newSegment();
        closedTT = 0;
        closedTX = 0;
        points = 0;
        outliersInRow = 0;
        lineSet = false;
    }

    /** Forgets every observation and the estimate. */
    void reset() {
        restart();
        estimated = false;
        ppm = 0;
    }

    /** Whether {@link #ppm} is an estimate yet. */
    boolean estimated() {
        return estimated;
    }

    /** The loudspeaker's clock against the microphone's, parts per million (positive: the loudspeaker is faster). */
    double ppm() {
        return ppm;
    }

    long observations() {
        return observations;
    }

    long rejected() {
        return rejected;
    }

    long restarts() {
        return restarts;
    }
}
