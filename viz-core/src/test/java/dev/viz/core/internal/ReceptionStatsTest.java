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
        ReceptionStats stats = new ReceptionStats(FRAME_NS);
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
        ReceptionStats stats = new ReceptionStats(FRAME_NS);
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
        ReceptionStats early = new ReceptionStats(FRAME_NS);
        for (long s = 0; s < 25; s++) {
            if (s < 16 || s >= 24) {
                early.onFrame(s);
            }
        }
        assertEquals(8 * 1_000_000 / 125, early.closeInterval());
    }

    @Test
    void shouldExtendSequenceNumbersAcrossTheWrap() {
        ReceptionStats stats = new ReceptionStats(FRAME_NS);
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
        ReceptionStats stats = new ReceptionStats(FRAME_NS);
        stats.onFrame(0);
        stats.onFrame(1);
        stats.onFrame(3);
        assertFalse(stats.wantsCopy(1), "its frame is here");
        assertTrue(stats.wantsCopy(2));
        assertFalse(stats.wantsCopy(2), "its copy is already here");
    }

    @Test
    void shouldMeasureTheJitterOfBatches() {
        ReceptionStats calm = new ReceptionStats(FRAME_NS);
        ReceptionStats jittery = new ReceptionStats(FRAME_NS);
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
}
