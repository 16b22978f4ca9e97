package dev.viz.core.internal;

import dev.viz.core.wire.ReceiverReport;

/**
 * What the receiving side of the network thread measures about the peer's audio stream, for the
 * receiver reports and the stats: frames lost (sequence numbers that never arrived), duplicates,
 * and the interarrival jitter of batches (RFC 3550's estimator, with the batch's last frame time as
 * its send time). Also decides which redundant copies are worth passing on: those of frames that
 * have not arrived. Network thread only; allocates nothing; no clock of its own.
 */
final class ReceptionStats {
    /** {@link #onFrame}: a frame not seen before. */
    static final int NEW = 0;
    /** {@link #onFrame}: a frame already received. */
    static final int DUPLICATE = 1;
    /** {@link #onFrame}: a frame too old to tell (it can only be late). */
    static final int TOO_OLD = 2;

    /** Sequence numbers remembered for duplicate detection and copies: 40 s of 40 ms frames. */
    private static final int HISTORY = 1024;
    private static final int MASK = HISTORY - 1;
    /** Report intervals the loss figure covers (10 s at one report a second). */
    private static final int LOSS_INTERVALS = 10;

    private final long frameNs;
    /** Frames in half a loss window: the least the loss is counted over. */
    private final long windowFrames;
    /** Extended sequence number + 1 of the frame held at each position; 0 for none. */
    private final long[] received = new long[HISTORY];
    private final long[] copied = new long[HISTORY];
    private final long[] intervalExpected = new long[LOSS_INTERVALS];
    private final long[] intervalReceived = new long[LOSS_INTERVALS];
    private int intervalIndex;

    private boolean any;
    private long firstSequence;
    private long highestSequence;
    private long receivedFrames;
    private long expectedAtInterval;
    private long receivedAtInterval;
    private boolean anyBatch;
    private long lastTransitNs;
    private double jitterNs;

    ReceptionStats(long frameNs) {
        this.frameNs = frameNs;
        this.windowFrames = LOSS_INTERVALS * Reports.REPORT_INTERVAL_NS / frameNs / 2;
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
            firstSequence = sequence;
            highestSequence = sequence;
            expectedAtInterval = 0;
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
            return false;
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
        return Math.max(0, expectedFrames() - receivedFrames);
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
        // as a huge loss. Count at least half a window's worth of frames (5 s).
        return Math.min(ReceiverReport.LOSS_ALL, lost * 1_000_000L / Math.max(expected, windowFrames));
    }
}
