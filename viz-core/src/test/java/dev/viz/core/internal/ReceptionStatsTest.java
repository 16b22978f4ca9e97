package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.wire.ReceiverReport;
import org.junit.jupiter.api.Test;

class ReceptionStatsTest {
    private static final long FRAME_NS = 40_000_000L;

    @Test
    void shouldCountLostFramesThroughReorderingAndDuplicates() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        for (long s : new long[] {0, 1, 3, 2, 2, 5, 6, 9, 8, 8}) {
            stats.onFrame(s);
        }
        // 0..9 expected; 4 and 7 never came.
        assertEquals(10, stats.expectedFrames());
        assertEquals(8, stats.receivedFrames());
        assertEquals(2, stats.lostFrames());
        assertEquals(ReceptionStats.DUPLICATE, stats.onFrame(8));
        assertEquals(ReceptionStats.NEW, stats.onFrame(7));
        assertEquals(1, stats.lostFrames(), "a late frame is no longer lost");
    }

    @Test
    void shouldReportLossOverItsWindowAndUnknownWhenNothingWasExpected() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        assertEquals(ReceiverReport.LOSS_UNKNOWN, stats.closeInterval());
        for (long s = 0; s < 300; s++) {
            if (s % 10 != 3) {
                stats.onFrame(s);
            }
        }
        assertEquals(100_000, stats.closeInterval(), 1);
        for (long s = 300; s < 600; s++) {
            stats.onFrame(s);
        }
        // 30 lost of 600 over the last two intervals.
        assertEquals(50_000, stats.closeInterval(), 1);
        // Few frames so far: the loss is counted over 5 s worth (125 frames of 40 ms).
        ReceptionStats early = new ReceptionStats(FRAME_NS, 8);
        for (long s = 0; s < 25; s++) {
            if (s < 16 || s >= 24) {
                early.onFrame(s);
            }
        }
        assertEquals(8 * 1_000_000 / 125, early.closeInterval());
        // One 20 ms frame a datagram: 40 datagrams are 0.8 s, fewer frames than 5 s (250): the loss
        // is counted as it is after a second, so the sender's copies come at once.
        ReceptionStats lowLatency = new ReceptionStats(20_000_000L, 1);
        for (long s = 0; s < 50; s++) {
            if (s % 10 != 3) {
                lowLatency.onFrame(s);
            }
        }
        assertEquals(100_000, lowLatency.closeInterval(), 1);
        ReceptionStats lowLatencyEarly = new ReceptionStats(20_000_000L, 1);
        for (long s = 0; s < 10; s++) {
            if (s != 3) {
                lowLatencyEarly.onFrame(s);
            }
        }
        assertEquals(1_000_000 / 40, lowLatencyEarly.closeInterval(), "one lost of ten counted over 40 frames");
    }

    @Test
    void shouldExtendSequenceNumbersAcrossTheWrap() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        for (long s = 0xFFFF_FFF0L; s <= 0xFFFF_FFFFL; s++) {
            stats.onFrame(s);
        }
        for (long s = 0; s < 16; s++) {
            stats.onFrame(s);
        }
        assertEquals(32, stats.expectedFrames());
        assertEquals(0, stats.lostFrames());
        assertEquals(15, stats.highestSequence32());
    }

    @Test
    void shouldPassOnACopyOnlyForAFrameThatHasNotArrived() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        stats.onFrame(0);
        stats.onFrame(1);
        stats.onFrame(3);
        assertFalse(stats.wantsCopy(1), "its frame is here");
        assertTrue(stats.wantsCopy(2));
        assertFalse(stats.wantsCopy(2), "its copy is already here");
    }

    @Test
    void shouldMeasureTheJitterOfBatches() {
        ReceptionStats calm = new ReceptionStats(FRAME_NS, 8);
        ReceptionStats jittery = new ReceptionStats(FRAME_NS, 8);
        java.util.Random random = new java.util.Random(1);
        for (int b = 0; b < 500; b++) {
            long sent = (8L * b + 8) * FRAME_NS;
            calm.onBatch(8L * b, 8, sent + 5_000_000L);
            jittery.onBatch(8L * b, 8, sent + 5_000_000L + (long) (random.nextDouble() * 40_000_000L));
        }
        assertEquals(0, calm.jitterNs());
        // Uniform 0..40 ms: the mean difference of two draws is 13.3 ms.
        assertEquals(13_300_000, jittery.jitterNs(), 2_500_000);
    }

    private static void batch(ReceptionStats stats, long first, int count) {
        for (long q = first; q < first + count; q++) {
            stats.onFrame(q);
        }
    }

    @Test
    void shouldCountALostFirstBatchAsLost() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        batch(stats, 8, 16);
        assertEquals(24, stats.expectedFrames(), "the stream starts at 0: frames 0..7 were sent and lost");
        assertEquals(8, stats.lostFrames());
        ReceptionStats late = new ReceptionStats(FRAME_NS, 8);
        batch(late, 5000, 8);
        assertEquals(0, late.lostFrames(), "joined a stream long under way: counted from the first frame seen");
    }

    @Test
    void shouldPassOnTheCopiesOfALostFirstBatch() {
        // The first batch (frames 0..7) was lost; the second carries their copies before its frames.
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        assertEquals(ReceptionStats.SAME_STREAM, stats.onBatchStart(8, 8));
        for (long s = 0; s < 8; s++) {
            assertTrue(stats.wantsCopy(s), "the stream starts with the lost batch's frames: copy of " + s);
        }
        assertFalse(stats.wantsCopy(3), "one copy a frame");
        assertFalse(stats.wantsCopy(8), "the batch's own frames come as frames");
        for (long s = 8; s < 16; s++) {
            stats.onFrame(s);
        }
        assertEquals(8, stats.lostFrames(), "rebuilt or not, the first batch was lost on the way");

        // The empty copies of the frames before 0 that a first batch carries are nothing to pass on.
        ReceptionStats fresh = new ReceptionStats(FRAME_NS, 8);
        fresh.onBatchStart(0, 8);
        assertFalse(fresh.wantsCopy(0xFFFF_FFFFL));
        assertFalse(fresh.wantsCopy(0xFFFF_FFF8L));
        // Nor the copies in the first batch seen of a stream long under way (this side joined late).
        ReceptionStats late = new ReceptionStats(FRAME_NS, 8);
        late.onBatchStart(5000, 8);
        assertFalse(late.wantsCopy(4992));
    }

    @Test
    void shouldStartANewStreamWhenThePeerRestartsAndNumbersFromZero() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        for (long first = 0; first < 400; first += 8) {
            assertEquals(ReceptionStats.SAME_STREAM, stats.onBatchStart(first, 8));
            batch(stats, first, 8);
        }
        stats.onBatch(392, 8, 400 * FRAME_NS);
        assertEquals(ReceptionStats.NEW_STREAM, stats.onBatchStart(8, 8), "a batch near 0, 15 s behind");
        assertEquals(ReceptionStats.NEW, stats.onFrame(8), "not taken for a duplicate of the old frame 8");
        assertEquals(0, stats.jitterNs());
        assertEquals(8, stats.lostFrames(), "the new stream's lost first batch; the old stream lost none");
        assertEquals(8, stats.highestSequence32());
    }

    @Test
    void shouldNotTakeAFewReorderedOrLateBatchesForANewStream() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        for (long first = 0; first < 2000; first += 8) {
            batch(stats, first, 8);
        }
        assertEquals(ReceptionStats.SAME_STREAM, stats.onBatchStart(1976, 8), "a batch reordered by a second");
        assertEquals(ReceptionStats.MAYBE_NEW_STREAM, stats.onBatchStart(1000, 8), "one stray batch 40 s late");
        assertEquals(ReceptionStats.SAME_STREAM, stats.onBatchStart(2000, 8), "the stream goes on");
        assertEquals(ReceptionStats.MAYBE_NEW_STREAM, stats.onBatchStart(1000, 8));
        assertEquals(ReceptionStats.MAYBE_NEW_STREAM, stats.onBatchStart(900, 8), "does not continue the first");
        assertEquals(ReceptionStats.NEW_STREAM, stats.onBatchStart(916, 8), "continues it (a batch lost between)");
    }

    @Test
    void shouldStartTheRecentLossFigureAfreshAfterAnOutage() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS, 8);
        for (long s = 0; s < 250; s++) {
            stats.onFrame(s);
        }
        stats.closeInterval();
        // 8 s of nothing (an outage), then the stream again, whole.
        for (long s = 450; s < 475; s++) {
            stats.onFrame(s);
        }
        assertEquals(0, stats.closeInterval(), "the call is fine again");
        assertEquals(200, stats.lostFrames(), "the outage's frames are still counted lost");
    }
}
