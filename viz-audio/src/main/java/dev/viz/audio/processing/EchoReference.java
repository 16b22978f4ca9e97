package dev.viz.audio.processing;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The echo reference: what the output device played, handed from the playback thread to the
 * capture thread and lined up with the microphone.
 *
 * <p><b>Hand-over.</b> A single-producer single-consumer history ring of samples, allocated once.
 * The playback thread ({@link #played}) copies samples in and publishes the count written with a
 * release store; it never waits and never fails: the ring keeps the newest {@code capacity} samples.
 * The capture thread ({@link #next}) reads the stretch it needs with an acquire load and checks
 * afterwards that the producer did not overwrite it meanwhile (then it treats the stretch as lost).
 * The queue is bounded by construction: a reader too far behind simply finds its data gone and
 * re-anchors.
 *
 * <p><b>Alignment.</b> Played sample number {@code p} and captured sample number {@code c} count
 * from different starts and at two clocks. The echo of {@code p} appears in the capture at the
 * {@code c} for which {@code p = c + alignment}. The alignment is estimated on the capture thread by
 * {@link DelayEstimator} (cross-correlation of 4 ms log-energy envelopes, updated incrementally per
 * envelope point without allocation, decided twice a second), and the reference handed to the echo
 * canceller leads the estimate by a margin (the canceller's filter is causal: it models only echo that
 * comes after the reference), so that the filter sees the whole impulse response despite estimation
 * error; when the echo returns sooner than the margin allows, the lead shrinks. Between two decisions the capture and
 * reference positions advance in lockstep, sample for sample, so the canceller sees a steady path;
 * a clock difference between the two directions moves the true alignment slowly, the estimator
 * follows it, and the applied alignment jumps once three decisions in a row (1.5 s) differ from it by more than a
 * dead band of half the margin (the echo then still falls inside the filter; after a jump the canceller is made
 * afresh and reconverges within about 2 s).
 *
 * <p><b>Underruns.</b> The sample counts keep time with the devices only while no sample is lost
 * on the way. When the player is late by more than the output device's buffer, the device plays
 * silence meanwhile and every later sample comes out that much later than its count says: through
 * PulseAudio on a loaded machine the echo moved by 41 and then 94 ms against the counts within 12
 * s, and a canceller lined up by count has to relearn the path after each (this, not the estimator,
 * held the sound server's echo path at 5-9 dB). {@link PlayoutGaps} finds such an underrun from the
 * times the writes return ({@code playedAtNs}), and {@link #played} puts the silence the device
 * played into the ring where it was played, so the ring is a sample-for-sample record of what came
 * out of the speaker and the alignment does not move.
 *
 * <p><b>Clock drift.</b> Even within the dead band, an echo that slides against the reference costs the
 * canceller its depth (10 ppm halves it in dB). So the drift is measured and the reference resampled
 * by it: {@link #echoPeakAt} takes the position of the canceller's main filter tap and adds the
 * alignment and resampling phase in use, giving the echo's position against the raw counts; a
 * {@link DriftEstimator} fits its slope; the reference is then read at {@code 1 + drift} samples per
 * captured sample through {@link FractionalDelay}, the whole samples gained or lost moving into the
 * applied alignment. The resampling follows the estimate in steps of {@value #RESAMPLE_STEP_PPM} ppm
 * (so with no drift it stays off and the reference is copied untouched), and after each step the
 * filter is left {@value #RESAMPLE_SETTLE_MS} ms to settle before it is read again.
 *
 * <p>Threads: {@link #played} on the playback thread only; every other method on the capture
 * thread only ({@link #toString} reads the playback thread's underrun counts without ordering: diagnosis only).
 */
final class EchoReference {
    private static final VarHandle WRITTEN;
    private static final VarHandle VERSION;
    private static final VarHandle SUSPECT;

    static {
        try {
            WRITTEN = MethodHandles.lookup().findVarHandle(EchoReference.class, "written", long.class);
            VERSION = MethodHandles.lookup().findVarHandle(EchoReference.class, "version", long.class);
            SUSPECT = MethodHandles.lookup().findVarHandle(EchoReference.class, "suspectFrom", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link #next} result bit: the alignment moved; the canceller should start over. */
    static final int RESET_ADVISED = 1;
    /** {@link #next} result bit: part of the reference was not there (silence used instead). */
    static final int UNDERRUN = 2;

    /** How far ahead of the newest available reference the correlation window starts. */
    private static final int SLACK_MS = 40;
    /** The newest reference may wander this far from where it was anchored before re-anchoring. */
    private static final int REANCHOR_MS = 150;
    /** Nothing written for this long (ms of capture) means the player stalls. */
    private static final int STALL_MS = 50;
    /** Decisions in a row that must agree before a locked alignment moves. */
    private static final int CONFIRMATIONS = 3;
    /** The resampling follows the drift estimate when they differ by this much (ppm). */
    static final double RESAMPLE_STEP_PPM = 0.5;
    /** After the resampling changed, the canceller's filter settles this long before it is read again. */
    static final int RESAMPLE_SETTLE_MS = 1000;

    private final int sampleRateHz;
    private final short[] ring;
    private final int mask;

    // Playback thread.
    private final PlayoutGaps gaps;
    @SuppressWarnings("unused") // accessed through WRITTEN
    private volatile long written;
    /** Odd while the playback thread moves samples in the ring (an underrun's silence goes in); bumped by 2 each time. */
    @SuppressWarnings("unused") // accessed through VERSION
    private volatile long version;
    /**
     * Samples from this count on may sit too early in the ring (the playback thread suspects an
     * underrun it has not confirmed yet); {@link Long#MAX_VALUE} when none is suspected.
     */
    @SuppressWarnings("unused") // accessed through SUSPECT
    private volatile long suspectFrom = Long.MAX_VALUE;
    private long producerWritten;

    // Capture thread.
    private final DelayEstimator estimator;
    private final int marginSamples;
    private final int deadBandSamples;
    private final int slackSamples;
    private final int reanchorSamples;
    private final int block;
    private long captured;
    private boolean anchored;
    /** Alignment candidate of lag 0: the estimator's lags count back from here. A multiple of {@link #block}. */
    private long base;
    /** Applied alignment: captured sample c is lined up with reference sample c + applied. */
    private long applied;
    /** How far ahead of the applied alignment the reference handed on starts (at most the margin). */
    private int lead;
    private final int guardSamples;
    private double availableSmoothed;
    private boolean locked;
    private long candidate;
    private int candidateCount;
    private long underruns;
    private long jumps;
    private final DriftEstimator drift;
    private final boolean compensate;
    /** Resampling: the reference advances by {@code 1 + driftPerSample} per captured sample. */
    private double driftPerSample;
    /** The fractional part of the read position, 0 to 1; the whole part is in {@link #applied}. */
    private double phase;
    /** Captured-sample count before which the canceller is still settling after a resampling change or an underrun. */
    private long settledAt;
    /** The playback thread's {@link #version} when the capture thread last saw it. */
    private long versionSeen;
    /** The count written when the capture thread last saw it move, and the captured count then. */
    private long writtenSeen;
    private long writtenMovedAt;
    /** Nothing written for this many captured samples (or two of the player's writes): the player stalls. */
    private final int stallSamples;
    private int writeSamples;

    /**
     * @param maxDelayMs the longest echo delay looked for (device buffers plus the acoustic path)
     * @param marginMs how far the reference handed on leads the estimated echo
     * @param compensateDrift whether to resample the reference by the estimated clock drift
     */
    EchoReference(int sampleRateHz, int maxDelayMs, int marginMs, boolean compensateDrift) {
        this.sampleRateHz = sampleRateHz;
        this.drift = new DriftEstimator(sampleRateHz);
        this.compensate = compensateDrift;
        this.gaps = new PlayoutGaps(sampleRateHz);
        this.block = sampleRateHz / DelayEstimator.POINTS_PER_SECOND;
        long needed = (long) sampleRateHz * (maxDelayMs + SLACK_MS + marginMs + REANCHOR_MS + 1000) / 1000;
        int capacity = Integer.highestOneBit((int) Math.min(1 << 24, needed) - 1) << 1;
        this.ring = new short[capacity];
        this.mask = capacity - 1;
        this.marginSamples = sampleRateHz * marginMs / 1000;
        this.guardSamples = sampleRateHz * 10 / 1000;
        this.stallSamples = sampleRateHz * STALL_MS / 1000;
        this.deadBandSamples = sampleRateHz * marginMs / 2000;
        this.slackSamples = sampleRateHz * SLACK_MS / 1000;
        this.reanchorSamples = sampleRateHz * REANCHOR_MS / 1000;
        int lags = (maxDelayMs + SLACK_MS) * DelayEstimator.POINTS_PER_SECOND / 1000;
        this.estimator = new DelayEstimator(lags, SLACK_MS * DelayEstimator.POINTS_PER_SECOND / 1000 + 2);
        estimator.blockSamples(block);
    }

    // ---------------------------------------------------------------- playback thread

    /** Playback thread: {@code n} samples were handed to the output device at {@code playedAtNs}. */
    void played(short[] pcm, int offset, int n, long playedAtNs) {
        long w = producerWritten;
        int skip = Math.max(0, n - ring.length);
        for (int i = skip; i < n; i++) {
            ring[(int) (w + i) & mask] = pcm[offset + i];
        }
        int gap = gaps.wrote(w, n, playedAtNs);
        w += n;
        if (gap > 0) {
            w = insertSilence(gaps.gapAt(), gap, w);
        } else if (gap < 0) {
            w = removeSilence(gaps.correctionAt(), -gap, w);
        }
        SUSPECT.setOpaque(this, gaps.suspect() ? gaps.suspectFrom() : Long.MAX_VALUE);
        producerWritten = w;
        WRITTEN.setRelease(this, w);
    }

    /**
     * Playback thread: the device played {@code gap} samples of silence before sample {@code at}
     * (an underrun found by {@link PlayoutGaps}): moves what was written since then on by
     * {@code gap} and puts the silence in front, so that the ring holds what the device played,
     * sample for sample in its time. Readers see {@link #version} odd or changed meanwhile and
     * discard what they read.
     *
     * @return the new count written
     */
    private long insertSilence(long at, int gap, long w) {
        int quarter = ring.length / 4;
        int silence = Math.min(gap, quarter);
        long from = w - at > quarter ? w : at; // too much to move: put the silence where we are
        long v = version;
        VERSION.setOpaque(this, v + 1);
        VarHandle.storeStoreFence();
        for (long i = w - 1; i >= from; i--) {
            ring[(int) (i + silence) & mask] = ring[(int) i & mask];
        }
        for (long i = from; i < from + silence; i++) {
            ring[(int) i & mask] = 0;
        }
        VERSION.setRelease(this, v + 2);
        return w + silence;
    }

    /**
     * Playback thread: {@code count} samples of the silence put in for an underrun, ending at
     * {@code end}, were too many: moves what was written since back over them.
     *
     * @return the new count written (smaller)
     */
    private long removeSilence(long end, int count, long w) {
        if (end > w || end - count < w - ring.length / 4) {
            return w; // no longer in reach: leave it
        }
        long v = version;
        VERSION.setOpaque(this, v + 1);
        VarHandle.storeStoreFence();
        for (long i = end; i < w; i++) {
            ring[(int) (i - count) & mask] = ring[(int) i & mask];
        }
        VERSION.setRelease(this, v + 2);
        return w - count;
    }

    // ---------------------------------------------------------------- capture thread

    /**
     * Capture thread: the next {@code n} captured samples are {@code mic[micOffset ..]}; writes the
     * reference lined up with them (leading by the margin) to {@code ref[0 .. n)}.
     *
     * @return result bits {@link #RESET_ADVISED}, {@link #UNDERRUN}
     */
    int next(short[] mic, int micOffset, int n, short[] ref) {
        long w = (long) WRITTEN.getAcquire(this);
        long end = captured + n;
        int result = 0;
        if (!anchored) {
            if (w == 0) {
                // Nothing played yet: no echo to cancel.
                java.util.Arrays.fill(ref, 0, n, (short) 0);
                estimator.addMic(mic, micOffset, n);
                estimator.skipTo(end / block);
                captured = end;
                return 0;
            }
            anchor(w, end);
            result |= RESET_ADVISED;
        }
        long available = w - end;
        if (w != writtenSeen) {
            long step = w - writtenSeen;
            if (step <= 2L * stallSamples && step > writeSamples) {
                writeSamples = (int) step; // the player's write size (larger writes: a longer wait is no stall)
            }
            writtenSeen = w;
            writtenMovedAt = end;
        }
        // While the player stalls nothing is written and what is available falls by the stall; the
        // device plays silence meanwhile and the silence goes into the ring once the player is back
        // (PlayoutGaps), so a stall says nothing about the echo path: leave the means and the
        // anchor alone then (stalls of 235 and 486 ms re-anchored the estimator and reset the canceller).
        boolean playerStalled = end - writtenMovedAt > Math.max(stallSamples, 2L * writeSamples);
        if (!playerStalled) {
            availableSmoothed += (available - availableSmoothed) / 64.0;
            if (Math.abs(availableSmoothed + slackSamples - base) > reanchorSamples) {
                anchor(w, end);
                result |= RESET_ADVISED;
            }
        }

        // The estimator: the mic's envelope, the reference's envelope up to what has been written.
        estimator.addMic(mic, micOffset, n);
        feedReferenceEnvelope(w);
        estimator.correlate((base / block));
        if (estimator.hasDecision()) {
            long estimate = base - (long) Math.round(estimator.lagPoints() * block);
            long target = confirmed(estimate);
            long delta = target - applied;
            int safeLead = leadFor(applied);
            if (safeLead < lead - guardSamples / 4 && Math.abs(delta) <= deadBandSamples) {
                // The reference arrives later than the lead assumed (bursty device threads): lead less.
                lead = safeLead;
                result |= RESET_ADVISED;
            }
            if (Math.abs(delta) > deadBandSamples) {
                applied = target;
                lead = leadFor(target);
                jumps++;
                // The filter learned the path at the old alignment; relearning from scratch is
                // faster than unlearning a displaced one.
                result |= RESET_ADVISED;
            }
        }

        // The reference for the canceller, leading the estimated echo by the margin (the filter is
        // causal: it can only model echo that comes after the reference it is given).
        long from = captured + applied + lead;
        long versionBefore = (long) VERSION.getAcquire(this);
        if (versionBefore != versionSeen && (versionBefore & 1) == 0) {
            // An underrun's silence went in: the echo's place against the reference may have moved
            // by the error of its measured length (well under a millisecond, but that is not drift).
            versionSeen = versionBefore;
            drift.newSegment();
            settledAt = captured + (long) sampleRateHz * RESAMPLE_SETTLE_MS / 1000;
        }
        // Past a suspected underrun the samples may be misplaced; the device most likely played
        // silence there, which is what a missing reference reads as.
        long usable = Math.min(w, (long) SUSPECT.getAcquire(this));
        int missing = 0;
        if (driftPerSample == 0 && phase == 0) {
            for (int i = 0; i < n; i++) {
                long p = from + i;
                if (p >= usable || p < 0) {
                    ref[i] = 0;
                    missing++;
                } else {
                    ref[i] = ring[(int) p & mask];
                }
            }
        } else {
            missing = resampled(from, n, usable, ref);
        }
        VarHandle.loadLoadFence();
        long wAfter = (long) WRITTEN.getAcquire(this);
        if (wAfter - (from - FractionalDelay.BEFORE - 1) > ring.length
                || (versionBefore & 1) != 0 || (long) VERSION.getAcquire(this) != versionBefore) {
            // The producer lapped us, or moved samples for an underrun's silence, while we copied:
            // the stretch is not trustworthy.
            java.util.Arrays.fill(ref, 0, n, (short) 0);
            missing = n;
        }
        if (missing > 0 && w > 0) {
            underruns++;
            result |= UNDERRUN;
        }
        captured = end;
        return result;
    }

    /**
     * The reference read at {@code from + i + phase + i * driftPerSample}: resampled by the clock
     * drift, so the echo stays put against it. The whole samples the phase gains or loses move into
     * the applied alignment, so the read position is continuous and the delay estimator's view of
     * the alignment stays right.
     *
     * @return how many samples were missing (not yet played, or overwritten)
     */
    private int resampled(long from, int n, long w, short[] ref) {
        int missing = 0;
        for (int i = 0; i < n; i++) {
            double at = phase + i * driftPerSample;
            double whole = Math.floor(at);
            long index = from + i + (long) whole;
            if (index - FractionalDelay.BEFORE < 0 || index + FractionalDelay.AFTER >= w) {
                ref[i] = 0;
                missing++;
            } else {
                long v = Math.round(FractionalDelay.read(ring, mask, index, at - whole));
                ref[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
            }
        }
        double end = phase + n * driftPerSample;
        double whole = Math.floor(end);
        applied += (long) whole;
        phase = end - whole;
        return missing;
    }

    /**
     * Capture thread, after {@link #next}: the canceller's filter has its main peak at {@code tap}
     * (fractional, counted from the first reference sample it is given). Feeds the drift estimator
     * the echo's position independent of the alignment and resampling in use, and when drift
     * compensation is on, resamples the reference by the new estimate from the next call on.
     */
    void echoPeakAt(double tap) {
        if (!anchored || captured < settledAt) {
            return;
        }
        drift.add(captured, applied + lead + phase - tap);
        if (compensate && drift.estimated()) {
            double target = drift.ppm() * 1e-6;
            if (Math.abs(target - driftPerSample) >= RESAMPLE_STEP_PPM * 1e-6) {
                driftPerSample = target;
                drift.newSegment();
                settledAt = captured + (long) sampleRateHz * RESAMPLE_SETTLE_MS / 1000;
            }
        }
    }

    /** Capture thread: the estimated clock drift in ppm (loudspeaker faster: positive), NaN before the first estimate. */
    double driftPpm() {
        return drift.estimated() ? drift.ppm() : Double.NaN;
    }

    /** Capture thread: the drift the reference is resampled by, in ppm (0 with compensation off or before an estimate). */
    double compensatedPpm() {
        return driftPerSample * 1e6;
    }

    /** Capture thread: the drift estimator, for diagnosis. */
    DriftEstimator drift() {
        return drift;
    }

    /**
     * The margin, or less when the echo comes back so soon after it was played that a full margin
     * would ask for reference samples not yet written (judged on the mean of what the playback
     * thread had written when the capture thread came, less a guard). Not on the low-water mark:
     * a player that stalls leaves the newest samples missing for a while, and what the device
     * played meanwhile was silence ({@link PlayoutGaps}), which is what the missing reference reads
     * as; shrinking the lead for it instead put the echo's main tap at the very start of the
     * filter, where an estimate a millisecond late leaves it out (the sound server's echo path
     * went from 23 to 3-11 dB).
     */
    private int leadFor(long alignment) {
        long echoDelay = (long) availableSmoothed - alignment;
        return (int) Math.max(0, Math.min(marginSamples, echoDelay - guardSamples));
    }

    /**
     * The alignment to move to: the first estimate at once; after that only one that
     * {@value #CONFIRMATIONS} decisions in a row agree on (within the dead band), so that the
     * estimator's wander does not shake the canceller. Otherwise the applied alignment.
     */
    private long confirmed(long estimate) {
        if (!locked) {
            locked = true;
            candidateCount = 0;
            return estimate;
        }
        if (Math.abs(estimate - applied) <= deadBandSamples) {
            candidateCount = 0;
            return applied;
        }
        if (candidateCount > 0 && Math.abs(estimate - candidate) <= deadBandSamples) {
            candidate = (candidate * candidateCount + estimate) / (candidateCount + 1);
            candidateCount++;
        } else {
            candidate = estimate;
            candidateCount = 1;
        }
        if (candidateCount >= CONFIRMATIONS) {
            candidateCount = 0;
            return candidate;
        }
        return applied;
    }

    private void anchor(long w, long end) {
        anchored = true;
        long b = w - end + slackSamples;
        base = Math.floorDiv(b + block - 1, block) * block;
        availableSmoothed = w - end;
        // Until the first estimate: assume a short path (device buffers of a few tens of ms).
        applied = base - slackSamples - sampleRateHz * 40L / 1000;
        lead = leadFor(applied);
        estimator.reset(end / block);
        locked = false;
        candidateCount = 0;
        referenceBlockDone = Math.max(referenceBlockDone, (w - ring.length / 2) / block);
    }

    /** Absolute reference block index up to which envelope points were handed to the estimator. */
    private long referenceBlockDone;

    private void feedReferenceEnvelope(long w) {
        long lastComplete = w / block;
        if (lastComplete - referenceBlockDone > (ring.length - block) / block) {
            referenceBlockDone = lastComplete - (ring.length - block) / block;
        }
        while (referenceBlockDone < lastComplete) {
            long startSample = referenceBlockDone * block;
            double energy = 0;
            for (int i = 0; i < block; i++) {
                double s = ring[(int) (startSample + i) & mask];
                energy += s * s;
            }
            estimator.addReferencePoint(referenceBlockDone, energy / block);
            referenceBlockDone++;
        }
    }

    /** Capture thread: the applied echo delay in ms (newest played sample to its echo in the capture). */
    double delayMs() {
        return anchored ? (availableSmoothed - applied) * 1000.0 / sampleRateHz : Double.NaN;
    }

    /** Capture thread: the alignment state, for diagnosis. */
    @Override
    public String toString() {
        return String.format("EchoReference[available mean %.0f samples, applied %d, lead %d, confidence %.2f,"
                + " underruns %d, moves %d, drift %.1f ppm (resampling by %.1f; %d observations, %d rejected,"
                + " %d restarts), playback underruns %d (%.0f ms of silence put in)]", availableSmoothed,
                applied, lead, confidence(), underruns, jumps, driftPpm(), compensatedPpm(), drift.observations(),
                drift.rejected(), drift.restarts(), gaps.gaps(), gaps.gapSamples() * 1000.0 / sampleRateHz);
    }

    /** Capture thread: the correlation peak (0..1) behind the last decision. */
    double confidence() {
        return estimator.confidence();
    }

    /**
     * The playback underruns found and filled with silence so far (read by the capture thread
     * without ordering: for diagnosis and tests).
     */
    long playbackUnderruns() {
        return gaps.gaps();
    }

    /** Capture thread: frames for which part of the reference was missing. */
    long underruns() {
        return underruns;
    }

    /** Capture thread: alignment changes applied, the first included. */
    long jumps() {
        return jumps;
    }
}
