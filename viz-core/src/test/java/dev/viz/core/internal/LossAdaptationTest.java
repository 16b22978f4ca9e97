package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Redundancy;
import dev.viz.core.batch.FrameBatcher;
import dev.viz.core.wire.AudioBatch;
import dev.viz.core.wire.ReceiverReport;
import org.junit.jupiter.api.Test;

class LossAdaptationTest {
    private static final long S = 1_000_000_000L;

    /** The batch limit a 1200-byte datagram leaves under the secure layer (30 bytes) and a receiver report. */
    private static final int BATCH_LIMIT = 1200 - 30 - ReceiverReport.LENGTH;

    private static LossAdaptation tunnel(Redundancy mode) {
        return new LossAdaptation(mode, true, 8, 40, 32_000, BATCH_LIMIT, 1, 6_000, new FrameBatcher());
    }

    private static int batchBytes(LossAdaptation a, int framesPerBatch, int frameMs) {
        int frameBytes = a.bitrateBps() * frameMs / 8000;
        return AudioBatch.HEADER_LENGTH + 1 + framesPerBatch * (2 + frameBytes)
                + (a.copies() == 0 ? 0 : 1 + a.copies() * (2 + 30));
    }

    @Test
    void shouldStartWithCopiesAndDropThemOnlyAfterAPathStaysClean() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        assertEquals(1, a.level(), "protected from the first batch, before any report");
        assertEquals(8, a.copies());
        // 3 % random loss over a tunnel stream: many 10 s reports show none, and the copies must not flicker
        long t = 0;
        for (int i = 0; i < 25; i++, t += S) {
            a.onPeerLoss(i % 12 == 0 ? 30_000 : 0, t);
            assertEquals(1, a.level(), "a report without loss " + i + " s after one with it");
        }
        for (int i = 0; i < 30; i++, t += S) {
            a.onPeerLoss(0, t);
        }
        assertEquals(1, a.level(), "held 30 s");
        a.onPeerLoss(0, t + S);
        assertEquals(0, a.level(), "a path clean for 30 s needs no copies");
        assertEquals(0, a.expectLossPercent());
        a.onPeerLoss(30_000, t + 2 * S);
        assertEquals(1, a.level(), "3 % loss again: copies at once");
    }

    @Test
    void shouldFitABatchOfFramesInASmallDatagramWithoutCopies() {
        LossAdaptation a = tunnel(Redundancy.OFF);
        assertEquals(0, a.copies());
        assertTrue(a.bitrateBps() < 32_000, "eight 40 ms frames at 32 kbit/s (1280 bytes) do not fit " + BATCH_LIMIT);
        assertTrue(batchBytes(a, 8, 40) <= BATCH_LIMIT, batchBytes(a, 8, 40) + " bytes at " + a.bitrateBps());
        assertTrue(a.bitrateBps() >= 20_000, "still good speech at " + a.bitrateBps());
        LossAdaptation roomy = new LossAdaptation(Redundancy.OFF, true, 8, 40, 32_000, 1400, 1, 6_000, new FrameBatcher());
        assertEquals(32_000, roomy.bitrateBps(), "the configured bitrate where it fits");
    }

    @Test
    void shouldTurnUpAtOnceAndDownOnlyAfterTheLossHasBeenGoneAWhile() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        a.onPeerLoss(30_000, 0);
        assertEquals(1, a.level());
        assertEquals(3, a.expectLossPercent());
        a.onPeerLoss(100_000, S);
        assertEquals(1, a.level(), "10 % random loss: one batch of copies rebuilds all but runs of two lost");
        a.onPeerLoss(160_000, S);
        assertEquals(1, a.level(), "16 % in one 10 s report is within the spread of 10 % random loss");
        a.onPeerLoss(260_000, S);
        assertEquals(2, a.level());
        assertEquals(16, a.copies());
        assertEquals(26, a.expectLossPercent());
        for (int i = 2; i < 11; i++) {
            a.onPeerLoss(0, i * S);
        }
        assertEquals(2, a.level(), "held for 10 s");
        a.onPeerLoss(0, 12 * S);
        assertEquals(1, a.level());
        assertEquals(0, a.expectLossPercent(), "FEC follows the loss without delay");
        for (int i = 13; i < 43; i++) {
            a.onPeerLoss(0, i * S);
        }
        assertEquals(1, a.level(), "copies held 30 s");
        a.onPeerLoss(0, 44 * S);
        assertEquals(0, a.level());
    }

    @Test
    void shouldTakeBothCopiesAtOnceWhenEachIsOneFrame() {
        LossAdaptation a = new LossAdaptation(Redundancy.AUTO, true, 1, 20, 32_000, BATCH_LIMIT, 1, 6_000, new FrameBatcher());
        assertEquals(0, a.copies(), "no copy before a report: here a late one moves the delay by one frame only");
        a.onPeerLoss(0, 0);
        a.onPeerLoss(20_000, 6 * S);
        assertEquals(0, a.copies(), "2 % is below the threshold, 6 s after the first report");
        a.onPeerLoss(30_000, 7 * S);
        assertEquals(2, a.copies(), "both 20 ms copies in one step: the receiver's delay moves once");
        assertEquals(32_000, a.bitrateBps());
        LossAdaptation early = new LossAdaptation(Redundancy.AUTO, true, 1, 20, 32_000, BATCH_LIMIT, 1, 6_000,
                new FrameBatcher());
        early.onPeerLoss(0, 0);
        early.onPeerLoss(16_000, 4 * S);
        assertEquals(2, early.copies(), "any loss in the call's first seconds: a report counts few frames then");
        long t = 8 * S;
        for (int i = 0; i < 30; i++, t += S) {
            a.onPeerLoss(30_000, t);
        }
        assertEquals(2, a.copies(), "3 % loss holds both copies: no second move mid-call");
        for (int i = 0; i < 10; i++, t += S) {
            a.onPeerLoss(0, t);
        }
        a.onPeerLoss(0, t);
        assertEquals(1, a.copies(), "a path clean for 10 s gives one back");
        for (int i = 0; i < 31; i++, t += S) {
            a.onPeerLoss(0, t);
        }
        assertEquals(0, a.copies(), "and after 30 s more, the other");
        LossAdaptation on = new LossAdaptation(Redundancy.ON, true, 1, 20, 32_000, BATCH_LIMIT, 1, 6_000, new FrameBatcher());
        assertEquals(1, on.copies(), "ON keeps one copy");
        on.onPeerLoss(30_000, 0);
        assertEquals(2, on.copies());
    }

    @Test
    void shouldCarryNoCopiesOverAReliableStream() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        int withCopiesBps = a.bitrateBps();
        a.overReliableStream(true);
        a.onPeerLoss(260_000, 0);
        assertEquals(0, a.copies(), "nothing is lost on a stream: no copies whatever the reports say");
        assertTrue(a.bitrateBps() > withCopiesBps, "their room goes back to the frames: " + a.bitrateBps());
        a.overReliableStream(false);
        assertEquals(16, a.copies(), "back on datagrams (a fallback), the level the reports asked for");
    }

    @Test
    void shouldIgnoreReportsThatSayNothing() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        a.onPeerLoss(260_000, 0);
        a.onPeerLoss(ReceiverReport.LOSS_UNKNOWN, 100 * S);
        assertEquals(2, a.level());
    }

    @Test
    void shouldLeaveRoomForTheCopiesInTheDatagram() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        for (long loss : new long[] {30_000, 260_000}) {
            a.onPeerLoss(loss, 0);
            assertTrue(batchBytes(a, 8, 40) <= BATCH_LIMIT, "level " + a.level() + ": " + batchBytes(a, 8, 40)
                    + " bytes at " + a.bitrateBps() + " bit/s");
            assertTrue(a.bitrateBps() >= 10_000, "still speech at " + a.bitrateBps());
        }
    }

    @Test
    void shouldFollowTheMode() {
        LossAdaptation off = tunnel(Redundancy.OFF);
        off.onPeerLoss(200_000, 0);
        assertEquals(0, off.copies());
        assertEquals(20, off.expectLossPercent(), "FEC still follows the loss");
        LossAdaptation on = tunnel(Redundancy.ON);
        assertEquals(8, on.copies());
        for (int i = 0; i < 30; i++) {
            on.onPeerLoss(0, i * S);
        }
        assertEquals(8, on.copies());
        LossAdaptation noEncoder = new LossAdaptation(Redundancy.AUTO, false, 8, 40, 32_000, BATCH_LIMIT, 1, 6_000, new FrameBatcher());
        noEncoder.onPeerLoss(200_000, 0);
        assertEquals(0, noEncoder.copies());
    }
}
