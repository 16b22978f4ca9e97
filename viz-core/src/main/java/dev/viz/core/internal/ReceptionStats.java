package dev.viz.core.internal;

import dev.viz.core.wire.ReceiverReport;
import java.util.Arrays;

/**
 * What the receiving side of the network thread measures about the peer's audio stream, for the
 * receiver reports and the stats: frames lost (sequence numbers that never arrived), duplicates,
 * and the interarrival jitter of batches (RFC 3550's estimator, with the batch's last frame time as
 * its send time). Also decides which redundant copies are worth passing on: those of frames that
 * have not arrived. Network thread only; allocates nothing; no clock of its own.
 *
 * <h2>Where a stream starts, and starts again</h2>
 * A sender numbers its frames from 0 when its call starts ({@link CaptureAgent}). So a first frame
 * numbered within {@link #STREAM_START_NS} of 0 means the frames before it were sent and lost (a
 * lost first batch is counted, and the copies of its frames that the next batch carries are passed
 * on, so the stream is played from its first frame), while a first frame far from 0 means this side joined late (it
 * restarted) and counts from there.
 *
 * <p>A peer that restarts (a new process, a new secure session) numbers from 0 again, far behind
 * the numbers of its old stream. Checked before a batch's frames ({@link #onBatchStart}): a batch
 * that starts more than {@link #RESTART_BEHIND_NS} of frames behind the highest received is no
 * reordering (the playout's bound is far shorter; the secure layer refuses replays) but the start
 * of a new stream when it starts within {@link #STREAM_START_NS} of 0, or when the batch after it
 * continues it; then everything measured about the old stream is forgotten (its losses stay in
 * {@link #lostFrames}) and the caller resets the playout. A gap ahead of more than
 * {@link #OUTAGE_NS} of frames is an outage: its frames count as lost, but the loss figure of the
 * recent window starts afresh after it, so a call that is fine again does not show the outage's
 * loss for the next 10 s.
 */
final class ReceptionStats {
    /** {@link #onFrame}: a frame not seen before. */
    static final int NEW = 0;
    /** {@link #onFrame}: a frame already received. */
    static final int DUPLICATE = 1;
    /** {@link #onFrame}: a frame too old to tell (it can only be late). */
    static final int TOO_OLD = 2;

    /** {@link #onBatchStart}: the batch continues the stream. */
    static final int SAME_STREAM = 0;
    /** {@link #onBatchStart}: the batch starts a new stream; the stats were reset: reset the playout too. */
    static final int NEW_STREAM = 1;
    /** {@link #onBatchStart}: the batch may start a new stream; the next batch tells: drop this one's frames. */
    static final int MAYBE_NEW_STREAM = 2;

    /** How far behind the highest frame received a batch must start to be taken for a new stream. */
    static final long RESTART_BEHIND_NS = 2_000_000_000L;
    /** A first frame numbered below this many nanoseconds of frames is its stream's start (streams start at 0). */
    static final long STREAM_START_NS = 1_000_000_000L;
    /** A gap ahead longer than this is an outage: the recent loss figure starts afresh after it. */
    static final long OUTAGE_NS = 2_000_000_000L;

    /** Sequence numbers remembered for duplicate detection and copies: 40 s of 40 ms frames. */
    private static final int HISTORY = 1024;
    private static final int MASK = HISTORY - 1;
    /** Report intervals the loss figure covers (10 s at one report a second). */
    private static final int LOSS_INTERVALS = 10;

    private final long frameNs;
    /** The least the loss is counted over: 5 s of frames, or 40 datagrams' worth where that is fewer. */
    private final long minLossFrames;
    private final long restartBehindFrames;
    private final long streamStartFrames;
    private final long outageFrames;
    /** Extended sequence number + 1 of the frame held at each position; 0 for none. */
    private final long[] received = new long[HISTORY];
    private final long[] copied = new long[HISTORY];
    private final long[] intervalExpected = new long[LOSS_INTERVALS];
    private final long[] intervalReceived = new long[LOSS_INTERVALS];
    private int intervalIndex;

    private boolean any;
    private boolean candidate;
    private long candidateFirst32;
    /** Frames lost by the peer's earlier streams (before it restarted). */
    private long lostBefore;
    private long firstSequence;
    private long highestSequence;
    private long receivedFrames;
    private long expectedAtInterval;
    private long receivedAtInterval;
    private boolean anyBatch;
    /** The first number of the batch being read while no frame has arrived yet. */
    private long firstBatch32 = -1;
    private long lastTransitNs;
    private double jitterNs;

    /** Datagrams the loss is counted over at the least, where 5 s of frames would be more. */
    static final int MIN_LOSS_DATAGRAMS = 40;

    /**
     * @param framesPerBatch the frames a datagram carries in speech (the profile's), which tells how
     *     many frames one lost datagram takes
     */
    ReceptionStats(long frameNs, int framesPerBatch) {
        this.frameNs = frameNs;
        this.minLossFrames = Math.min(LOSS_INTERVALS * Reports.REPORT_INTERVAL_NS / frameNs / 2,
                (long) MIN_LOSS_DATAGRAMS * framesPerBatch);
        this.restartBehindFrames = RESTART_BEHIND_NS / frameNs;
        this.streamStartFrames = STREAM_START_NS / frameNs;
        this.outageFrames = OUTAGE_NS / frameNs;
    }

    /**
     * A batch of {@code count} frames from {@code first32} arrived: called before its frames and copies.
     *
     * @return {@link #SAME_STREAM}, {@link #NEW_STREAM} (the stats now describe the new stream only) or
     *     {@link #MAYBE_NEW_STREAM} (drop the batch's frames; the next batch confirms or not)
     */
    int onBatchStart(long first32, int count) {
        if (!any) {
            firstBatch32 = first32 & 0xFFFF_FFFFL;
            return SAME_STREAM;
        }
        long first = extend(first32);
        if (highestSequence - first <= restartBehindFrames) {
            candidate = false;
            return SAME_STREAM;
        }
        long start = first32 & 0xFFFF_FFFFL;
        int sinceCandidate = (int) (start - candidateFirst32);
        if (start < streamStartFrames || candidate && sinceCandidate > 0 && sinceCandidate <= restartBehindFrames) {
            reset();
            return NEW_STREAM;
        }
        candidate = true;
        candidateFirst32 = start;
        return MAYBE_NEW_STREAM;
    }

    /** Forgets the stream; what it lost stays counted. */
    private void reset() {
        lostBefore = lostFrames();
        any = false;
        candidate = false;
        receivedFrames = 0;
        Arrays.fill(received, 0);
        Arrays.fill(copied, 0);
        clearLossWindow();
        expectedAtInterval = 0;
        receivedAtInterval = 0;
        anyBatch = false;
        jitterNs = 0;
    }

    private void clearLossWindow() {
        for (int i = 0; i < LOSS_INTERVALS; i++) {
            intervalExpected[i] = 0;
            intervalReceived[i] = 0;
        }
    }

    /** Extends a 32-bit sequence number to the 64-bit one nearest the highest received. */
    long extend(long sequence32) {
        if (!any) {
            return sequence32 & 0xFFFF_FFFFL;
        }
        int delta = (int) (sequence32 - (highestSequence & 0xFFFF_FFFFL));
        return highestSequence + delta;
    }

    /** A batch of {@code count} frames from {@code first} arrived at {@code nowNs}: updates the jitter. */
    void onBatch(long first32, int count, long nowNs) {
        long first = extend(first32);
        // The sender sends a batch when its last frame is complete.
        long transitNs = nowNs - (first + count) * frameNs;
        if (anyBatch) {
            long d = Math.abs(transitNs - lastTransitNs);
            jitterNs += (d - jitterNs) / 16.0;
        }
        anyBatch = true;
        lastTransitNs = transitNs;
    }

    /** A frame (not a copy) arrived; returns {@link #NEW}, {@link #DUPLICATE} or {@link #TOO_OLD}. */
    int onFrame(long sequence32) {
        long sequence = extend(sequence32);
        if (!any) {
            any = true;
            // Streams start at 0: frames before the first one seen, near the start, were lost.
            firstSequence = sequence < streamStartFrames ? 0 : sequence;
            highestSequence = sequence;
            expectedAtInterval = 0;
        } else if (sequence - highestSequence > outageFrames) {
            // An outage ended: its frames are lost, but the recent loss figure starts again from here.
            clearLossWindow();
            expectedAtInterval = sequence - firstSequence;
            receivedAtInterval = receivedFrames;
        }
        if (sequence < firstSequence) {
            // Reordered before the first frame seen: the stream starts earlier than we thought.
            if (firstSequence - sequence >= HISTORY) {
                return TOO_OLD;
            }
            firstSequence = sequence;
        }
        int slot = (int) (sequence & MASK);
        if (received[slot] == sequence + 1) {
            return DUPLICATE;
        }
        if (highestSequence - sequence >= HISTORY) {
            return TOO_OLD;
        }
        received[slot] = sequence + 1;
        if (sequence > highestSequence) {
            highestSequence = sequence;
        }
        receivedFrames++;
        return NEW;
    }

    /**
     * A redundant copy of frame {@code sequence32} arrived: whether to pass it on (its frame has not
     * arrived, no copy of it has, and it is recent). Marks it passed on.
     */
    boolean wantsCopy(long sequence32) {
        if (!any) {
            // The first batch seen starts near 0 and carries copies of frames before it: those of a lost
            // first batch, which the stream starts with (not the empty copies of the frames before 0,
            // numbered just below 2^32).
            long sequence = sequence32 & 0xFFFF_FFFFL;
            if (firstBatch32 < 0 || firstBatch32 >= streamStartFrames || sequence >= firstBatch32) {
                return false;
            }
            int slot = (int) (sequence & MASK);
            if (copied[slot] == sequence + 1) {
                return false;
            }
            copied[slot] = sequence + 1;
            return true;
        }
        long sequence = extend(sequence32);
        if (sequence < firstSequence || highestSequence - sequence >= HISTORY / 2) {
            return false;
        }
        int slot = (int) (sequence & MASK);
        if (received[slot] == sequence + 1 || copied[slot] == sequence + 1) {
            return false;
        }
        copied[slot] = sequence + 1;
        return true;
    }

    /** Frames expected so far: every sequence number from the first to the highest. */
    long expectedFrames() {
        return any ? highestSequence - firstSequence + 1 : 0;
    }

    /** Frames that never arrived (so far: a late one still counts as received when it comes). */
    long lostFrames() {
        return lostBefore + Math.max(0, expectedFrames() - receivedFrames);
    }

    long receivedFrames() {
        return receivedFrames;
    }

    /** The highest sequence number received, as on the wire (32 bits). */
    long highestSequence32() {
        return highestSequence & 0xFFFF_FFFFL;
    }

    long jitterNs() {
        return (long) jitterNs;
    }

    /**
     * Closes a report interval and returns the loss over the last {@value #LOSS_INTERVALS}
     * intervals in parts per million (over at least 5 s worth of frames, so a call's first lost
     * batch does not read as a huge loss), or {@link ReceiverReport#LOSS_UNKNOWN} when no
     * frame was expected in them.
     */
    long closeInterval() {
        long expected = expectedFrames();
        intervalExpected[intervalIndex] = expected - expectedAtInterval;
        intervalReceived[intervalIndex] = receivedFrames - receivedAtInterval;
        expectedAtInterval = expected;
        receivedAtInterval = receivedFrames;
        intervalIndex = (intervalIndex + 1) % LOSS_INTERVALS;
        return lossPpm();
    }

    /** The loss over the last closed intervals, parts per million, or {@link ReceiverReport#LOSS_UNKNOWN}. */
    long lossPpm() {
        long expected = 0;
        long got = 0;
        for (int i = 0; i < LOSS_INTERVALS; i++) {
            expected += intervalExpected[i];
            got += intervalReceived[i];
        }
        if (expected <= 0) {
            return ReceiverReport.LOSS_UNKNOWN;
        }
        long lost = Math.max(0, expected - got);
        // Early in a call (or after silence) the window holds few frames: one lost batch would read
        // as a huge loss. Count at least half a window's worth of frames (5 s), or 40 datagrams' worth
        // where that is fewer (one frame a datagram: 0.8 s), so that a stream of small datagrams
        // reports its loss as it is within a second and its copies come at once, not 5 s into the call.
        return Math.min(ReceiverReport.LOSS_ALL, lost * 1_000_000L / Math.max(expected, minLossFrames));
    }
}
