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

    private static LossAdaptation tunnel(Redundancy mode) {
        return new LossAdaptation(mode, true, 8, 40, 32_000, 1371 - ReceiverReport.LENGTH, 1, 6_000, new FrameBatcher());
    }

    @Test
    void shouldStayOffOnACleanPath() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        for (int i = 0; i < 30; i++) {
            a.onPeerLoss(0, i * S);
        }
        assertEquals(0, a.level());
        assertEquals(0, a.expectLossPercent());
        assertEquals(32_000, a.bitrateBps());
    }

    @Test
    void shouldTurnUpAtOnceAndDownOnlyAfterTheLossHasBeenGoneAWhile() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        a.onPeerLoss(30_000, 0);
        assertEquals(1, a.level());
        assertEquals(3, a.expectLossPercent());
        a.onPeerLoss(100_000, S);
        assertEquals(2, a.level());
        assertEquals(16, a.copies());
        assertEquals(10, a.expectLossPercent());
        for (int i = 2; i < 11; i++) {
            a.onPeerLoss(0, i * S);
        }
        assertEquals(2, a.level(), "held for 10 s");
        a.onPeerLoss(0, 12 * S);
        assertEquals(1, a.level());
        assertEquals(0, a.expectLossPercent(), "FEC follows the loss without delay");
        for (int i = 13; i < 24; i++) {
            a.onPeerLoss(0, i * S);
        }
        assertEquals(0, a.level());
        assertEquals(32_000, a.bitrateBps());
    }

    @Test
    void shouldIgnoreReportsThatSayNothing() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        a.onPeerLoss(80_000, 0);
        a.onPeerLoss(ReceiverReport.LOSS_UNKNOWN, 100 * S);
        assertEquals(2, a.level());
    }

    @Test
    void shouldLeaveRoomForTheCopiesInTheDatagram() {
        LossAdaptation a = tunnel(Redundancy.AUTO);
        for (long loss : new long[] {30_000, 80_000}) {
            a.onPeerLoss(loss, 0);
            int frameBytes = a.bitrateBps() * 40 / 8000;
            int batch = AudioBatch.HEADER_LENGTH + 1 + 8 * (2 + frameBytes) + 1 + a.copies() * (2 + 30);
            assertTrue(batch <= 1371 - ReceiverReport.LENGTH, "level " + a.level() + ": " + batch + " bytes at "
                    + a.bitrateBps() + " bit/s");
            assertTrue(a.bitrateBps() >= 16_000, "still speech at " + a.bitrateBps());
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
        LossAdaptation noEncoder = new LossAdaptation(Redundancy.AUTO, false, 8, 40, 32_000, 1339, 1, 6_000, new FrameBatcher());
        noEncoder.onPeerLoss(200_000, 0);
        assertEquals(0, noEncoder.copies());
    }
}
