package dev.viz.core.testing;

/**
 * Compares received speech with sent speech the way the end-to-end tests do: the 20 ms log-energy
 * envelopes of both, aligned by cross-correlation, then their normalized (Pearson) correlation.
 * Opus alone scores about 0.93 on the test speech; silence or noise scores near 0.
 *
 * <p>Alignment is in two steps. One global lag is found over a lag range; then, because a live
 * playout adapts its delay during a call (it stretches or shrinks audio by a few tens of ms to
 * follow jitter and clock drift), each 1 s segment of the sent speech is aligned again within
 * {@value #SEGMENT_SLACK_MS} ms of the global lag, and the correlation is taken over all the aligned
 * windows together. A segment cannot move further than that, so unrelated audio still scores low.
 */
public final class SpeechComparison {
    /** Envelope window. */
    public static final int WINDOW_MS = 20;
    /** Segments aligned on their own. */
    public static final int SEGMENT_MS = 1000;
    /** How far a segment may move from the global alignment. */
    public static final int SEGMENT_SLACK_MS = 200;
    /** {@link #compareSegments}: a segment that matches at least this well moves the track. */
    private static final double CONFIDENT = 0.5;

    private SpeechComparison() {
    }

    /** The best correlation and the lag (received later than sent, in ms) where it was found. */
    public record Result(double correlation, int lagMs, int windowsCompared) {
        @Override
        public String toString() {
            return String.format("envelope correlation %.3f at lag %d ms over %d windows", correlation, lagMs,
                    windowsCompared);
        }
    }

    /** 20 ms log-energy envelope (dB) of mono PCM. */
    public static double[] envelope(short[] pcm, int sampleRateHz) {
        int window = sampleRateHz / 1000 * WINDOW_MS;
        double[] env = new double[pcm.length / window];
        for (int w = 0; w < env.length; w++) {
            double sum = 0;
            for (int i = w * window; i < (w + 1) * window; i++) {
                sum += (double) pcm[i] * pcm[i];
            }
            env[w] = 10 * Math.log10(sum / window + 1.0);
        }
        return env;
    }

    /**
     * Aligns {@code received} against {@code sent} with lags from 0 to {@code maxLagMs} (the received
     * audio starts later: network, buffering and leading silence) and returns the best correlation.
     * At least half of the sent envelope must overlap for a lag to count.
     */
    /**
     * The better of {@link #compare} (one lag, segments realigned within 200 ms) and {@link
     * #compareSegments} (a lag that tracks the playout delay as it grows or shrinks during the
     * call): what the end-to-end tests assert on, since an adaptive playout may legitimately move
     * its delay by a batch or more when the machine or the network hiccups.
     */
    public static Result best(short[] sent, short[] received, int sampleRateHz, int maxLagMs) {
        Result aligned = compare(sent, received, sampleRateHz, maxLagMs);
        double tracked = compareSegments(sent, received, sampleRateHz, maxLagMs);
        return tracked > aligned.correlation()
                ? new Result(tracked, aligned.lagMs(), aligned.windowsCompared())
                : aligned;
    }

    public static Result compare(short[] sent, short[] received, int sampleRateHz, int maxLagMs) {
        double[] a = envelope(sent, sampleRateHz);
        double[] b = envelope(received, sampleRateHz);
        int maxLag = maxLagMs / WINDOW_MS;
        Result best = new Result(-1, 0, 0);
        for (int lag = -maxLag / 4; lag <= maxLag; lag++) {
            int start = Math.max(0, -lag);
            int end = Math.min(a.length, b.length - lag);
            int n = end - start;
            if (n < a.length / 2) {
                continue;
            }
            double c = pearson(a, b, start, lag, n);
            if (c > best.correlation()) {
                best = new Result(c, lag * WINDOW_MS, n);
            }
        }
        if (best.windowsCompared() == 0) {
            return best;
        }
        Result piecewise = piecewise(a, b, best.lagMs() / WINDOW_MS);
        return piecewise.correlation() > best.correlation() ? piecewise : best;
    }

    /** Realigns each segment near the global lag, then correlates all aligned windows at once. */
    private static Result piecewise(double[] a, double[] b, int globalLag) {
        int segment = SEGMENT_MS / WINDOW_MS;
        int slack = SEGMENT_SLACK_MS / WINDOW_MS;
        double[] xs = new double[a.length];
        double[] ys = new double[a.length];
        int n = 0;
        for (int start = 0; start < a.length; start += segment) {
            int end = Math.min(a.length, start + segment);
            int bestLag = Integer.MIN_VALUE;
            double bestC = -2;
            for (int lag = globalLag - slack; lag <= globalLag + slack; lag++) {
                int s0 = Math.max(start, -lag);
                int e0 = Math.min(end, b.length - lag);
                if (e0 - s0 < (end - start) / 2) {
                    continue;
                }
                double c = pearson(a, b, s0, lag, e0 - s0);
                if (c > bestC) {
                    bestC = c;
                    bestLag = lag;
                }
            }
            if (bestLag == Integer.MIN_VALUE) {
                continue;
            }
            for (int i = Math.max(start, -bestLag); i < Math.min(end, b.length - bestLag); i++) {
                xs[n] = a[i];
                ys[n] = b[i + bestLag];
                n++;
            }
        }
        if (n < a.length / 2) {
            return new Result(-1, globalLag * WINDOW_MS, n);
        }
        return new Result(pearson(xs, ys, 0, 0, n), globalLag * WINDOW_MS, n);
    }

    /**
     * For calls whose delay moves a long way (an adaptive playout that adds a batch or two of delay
     * mid-call when redundancy comes on): the sent envelope is cut into segments of
     * {@code segmentMs}; the first is aligned within two steps of the best lag for the whole call
     * (searched from 0 to {@code maxLagMs}), each next one within {@code stepMs} of the one before (a
     * playout's delay moves gradually, at most a batch at a time; a segment that matches poorly
     * does not move the track), and all the aligned windows are then correlated at once. Unlike {@link #compare}, whose
     * segments stay within {@value #SEGMENT_SLACK_MS} ms of one lag for the whole call, this follows a
     * delay that ends far from where it began; tying each segment to the last keeps unrelated audio
     * scoring low.
     */
    public static double compareSegments(short[] sent, short[] received, int sampleRateHz, int segmentMs,
            int maxLagMs, int stepMs) {
        double[] a = envelope(sent, sampleRateHz);
        double[] b = envelope(received, sampleRateHz);
        int segment = segmentMs / WINDOW_MS;
        int maxLag = maxLagMs / WINDOW_MS;
        int step = stepMs / WINDOW_MS;
        double[] xs = new double[a.length];
        double[] ys = new double[a.length];
        int n = 0;
        int global = Math.max(0, compare(sent, received, sampleRateHz, maxLagMs).lagMs() / WINDOW_MS);
        int previous = -1;
        for (int start = 0; start + segment <= a.length; start += segment) {
            int from = previous < 0 ? Math.max(0, global - 2 * step) : Math.max(0, previous - step);
            int to = previous < 0 ? Math.min(maxLag, global + 2 * step) : previous + step;
            int bestLag = -1;
            double best = -2;
            for (int lag = from; lag <= to && start + lag + segment <= b.length; lag++) {
                double c = pearson(a, b, start, lag, segment);
                if (c > best) {
                    best = c;
                    bestLag = lag;
                }
            }
            if (bestLag < 0) {
                break;
            }
            if (previous < 0 || best >= CONFIDENT) {
                // A segment that matches poorly anywhere (a silence inserted in it, a loss) does not
                // move the track.
                previous = bestLag;
            }
            for (int i = start; i < start + segment; i++) {
                xs[n] = a[i];
                ys[n] = b[i + bestLag];
                n++;
            }
        }
        return n == 0 ? 0 : pearson(xs, ys, 0, 0, n);
    }

    /** {@link #compareSegments(short[], short[], int, int, int, int)} with 1 s segments moving up to 400 ms each. */
    public static double compareSegments(short[] sent, short[] received, int sampleRateHz, int maxLagMs) {
        return compareSegments(sent, received, sampleRateHz, 1_000, maxLagMs, 400);
    }

    /** Pearson correlation of {@code a[start, start + n)} with {@code b[start + lag, start + lag + n)}; 0 if either is flat. */
    public static double pearson(double[] a, double[] b, int start, int lag, int n) {
        double meanA = 0;
        double meanB = 0;
        for (int i = start; i < start + n; i++) {
            meanA += a[i];
            meanB += b[i + lag];
        }
        meanA /= n;
        meanB /= n;
        double cov = 0;
        double varA = 0;
        double varB = 0;
        for (int i = start; i < start + n; i++) {
            double da = a[i] - meanA;
            double db = b[i + lag] - meanB;
            cov += da * db;
            varA += da * da;
            varB += db * db;
        }
        if (varA == 0 || varB == 0) {
            return 0;
        }
        return cov / Math.sqrt(varA * varB);
    }
}
