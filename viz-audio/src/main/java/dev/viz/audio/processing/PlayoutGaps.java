package dev.viz.audio.processing;

/**
 * Finds the silence an output device played that the program never wrote: an underrun.
 *
 * <p>Each write to a blocking output device returns when the device has taken the samples into its
 * buffer, so the time a write returns, counted in samples, minus the samples written so far (the
 * <em>lag</em>) stays at a steady floor while the device is fed in time; a write that comes back
 * late only lifts it for a write or two, until the player has refilled the buffer. When the player
 * was late by more than the buffer held, the device played silence meanwhile and every later sample
 * comes out that much later: the lag stays up. Measured through PulseAudio (PortAudio over ALSA's
 * pulse plugin, 20 ms writes) on a loaded machine: the floor holds within 2 ms for seconds, and each
 * underrun lifts it for good by the silence played (41 and 94 ms in one 12 s run), which is exactly
 * how much the echo then came back later than the sample count said.
 *
 * <p>So a lag more than {@value #THRESHOLD_MS} ms above the floor is a possible underrun, confirmed
 * when it has settled on a plateau: {@value #PLATEAU_WRITES} writes or more over at least
 * {@value #PLATEAU_MS} ms whose lags lie within {@value #THRESHOLD_MS} ms of each other (while a
 * stall goes on, or the player catches up after it, the lag still moves). A rise under
 * {@value #SMALL_GAP_MS} ms must hold {@value #SMALL_PLATEAU_MS} ms: through the pulse plugin the
 * writes sometimes come back 4.7 ms later for 80 ms and then return to the floor with no silence
 * played, and silence put in for that moved the reference and cost the canceller its depth. The underrun's length is
 * the plateau's lowest lag less the floor, and it began where the first late write's samples start.
 * Until a rise of {@value #SMALL_GAP_MS} ms or more is confirmed or dismissed the samples from there
 * on are {@link #suspect()}: they may be placed too early. The caller inserts that much silence there and counts it as written, which
 * brings the lag back to the floor. A late write that the device's buffer absorbed falls back below
 * the threshold at the next write and is dismissed. Below the threshold the floor follows the lag
 * down at once and up slowly (a time constant of about 128 writes), so a device clock some hundred
 * ppm off the system clock is not taken for underruns. Replayed offline on the write times of ten
 * runs through the sound server (underruns of 4 to 420 ms), the lengths found agreed with the
 * echo's measured shift against the counts to within 32 samples (0.7 ms), mostly within 6; a step of
 * 76 samples, under the threshold, went uncounted (the floor absorbs it).
 *
 * <p>The lag's jitter is one-sided (a write can only come back late), so the few writes of a plateau
 * sit a little above its true floor and the silence comes out measured some 10-30 samples too long,
 * which the canceller, on a pure delay, must relearn. So for {@value #REFINE_MS} ms after the
 * confirmation the lag is watched on: when it comes back lower than the floor, that much silence is
 * taken back (before the canceller has had time to relearn the wrong place). On the sound server
 * this brought the reference's place after an underrun from 7-13 samples off to 1-4.
 *
 * <p>Timestamps that do not advance (a file or a test that passes 0) never raise the lag. No
 * allocation; one thread (the playback thread) only.
 */
final class PlayoutGaps {
    /** A lag this far above the floor is a candidate underrun; the writes of a plateau stay this close. */
    static final int THRESHOLD_MS = 2;
    /** A plateau of at least {@value #PLATEAU_WRITES} writes spanning this long confirms an underrun ... */
    static final int PLATEAU_MS = 40;
    /** ... of at least this much; a smaller rise must hold {@value #SMALL_PLATEAU_MS} ms. */
    static final int SMALL_GAP_MS = 10;
    static final int SMALL_PLATEAU_MS = 240;
    static final int PLATEAU_WRITES = 3;
    private static final double FLOOR_RISE = 1.0 / 128;
    /** After an underrun is confirmed, the lag is watched this long for a lower floor ... */
    static final int REFINE_MS = 300;
    /** ... and silence put in too much by this many samples or more is taken back. */
    static final int MIN_CORRECTION_SAMPLES = 4;

    private final double samplesPerNs;
    private final double thresholdSamples;
    private final long plateauNs;
    private final long smallPlateauNs;
    private final double smallGapSamples;

    private boolean started;
    private long firstNs;
    private double floor;
    private boolean elevated;
    private long elevatedFrom;
    private long plateauSinceNs;
    private double plateauMin;
    private double plateauMax;
    private int plateauWrites;
    private long gapAt;
    private int lastGap;
    private boolean refining;
    private double refineMin;
    private double floorAtConfirm;
    private long confirmedAtNs;
    private final long refineNs;
    private long correctionAt;
    private long gaps;
    private long gapSamples;

    PlayoutGaps(int sampleRateHz) {
        this.samplesPerNs = sampleRateHz / 1e9;
        this.thresholdSamples = sampleRateHz * THRESHOLD_MS / 1000.0;
        this.plateauNs = PLATEAU_MS * 1_000_000L;
        this.smallPlateauNs = SMALL_PLATEAU_MS * 1_000_000L;
        this.refineNs = REFINE_MS * 1_000_000L;
        this.smallGapSamples = sampleRateHz * SMALL_GAP_MS / 1000.0;
    }

    /**
     * A write of {@code n} samples returned at {@code nowNs}; {@code written} samples (silence
     * inserted before included) had been written before it.
     *
     * @return the length of an underrun confirmed now, in samples (its start is {@link #gapAt()});
     *     or, negative, how many samples of the last underrun's silence to take back, ending at
     *     {@link #correctionAt()} ({@value #REFINE_MS} ms after the confirmation, when the lag came
     *     back lower than the floor: the silence was measured too long); or 0
     */
    int wrote(long written, int n, long nowNs) {
        if (!started) {
            started = true;
            firstNs = nowNs;
            floor = -(written + n);
            return 0;
        }
        double lag = (nowNs - firstNs) * samplesPerNs - (written + n);
        if (refining) {
            refineMin = Math.min(refineMin, lag);
            if (nowNs - confirmedAtNs >= refineNs) {
                refining = false;
                long over = Math.round(floorAtConfirm - refineMin);
                if (over >= MIN_CORRECTION_SAMPLES && over < lastGap) {
                    // The plateau's few writes sat above its true floor (the lag's jitter is one-sided):
                    // take back what was put in too much.
                    floor = floorAtConfirm;
                    gapSamples -= over;
                    lastGap -= (int) over;
                    correctionAt = gapAt + lastGap + over;
                    return (int) -over;
                }
            }
        }
        if (lag < floor + thresholdSamples) {
            floor = lag < floor ? lag : floor + (lag - floor) * FLOOR_RISE;
            elevated = false;
            return 0;
        }
        if (!elevated) {
            elevated = true;
            elevatedFrom = written;
            newPlateau(lag, nowNs);
            return 0;
        }
        double low = Math.min(plateauMin, lag);
        double high = Math.max(plateauMax, lag);
        if (high - low > thresholdSamples) {
            newPlateau(lag, nowNs); // still moving (a stall that goes on, the catch-up after it)
            return 0;
        }
        plateauMin = low;
        plateauMax = high;
        plateauWrites++;
        long needNs = plateauMin - floor >= smallGapSamples ? plateauNs : smallPlateauNs;
        if (plateauWrites < PLATEAU_WRITES || nowNs - plateauSinceNs < needNs) {
            return 0;
        }
        elevated = false;
        int gap = (int) Math.min(Integer.MAX_VALUE, Math.round(plateauMin - floor));
        gapAt = elevatedFrom;
        gaps++;
        gapSamples += gap;
        lastGap = gap;
        refining = true;
        refineMin = Double.MAX_VALUE;
        confirmedAtNs = nowNs;
        floorAtConfirm = floor;
        return gap;
    }

    private void newPlateau(double lag, long nowNs) {
        plateauSinceNs = nowNs;
        plateauMin = lag;
        plateauMax = lag;
        plateauWrites = 1;
    }

    /**
     * Whether the lag is up by {@value #SMALL_GAP_MS} ms or more now: an underrun not yet confirmed
     * may have begun at {@link #suspectFrom()}. (Smaller rises are not suspected: most come back.)
     */
    boolean suspect() {
        return elevated && plateauMin - floor >= smallGapSamples;
    }

    /** While {@link #suspect()}: the sample count at which the suspected underrun would have begun. */
    long suspectFrom() {
        return elevatedFrom;
    }

    /** The sample count at which the last confirmed underrun began. */
    long gapAt() {
        return gapAt;
    }

    /** After a negative {@link #wrote} result: the count at which the silence taken back ends. */
    long correctionAt() {
        return correctionAt;
    }

    /** Underruns found so far. */
    long gaps() {
        return gaps;
    }

    /** Their total length in samples. */
    long gapSamples() {
        return gapSamples;
    }
}
