package dev.viz.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReceiverReportTest {
    @Test
    void shouldRoundTripEveryField() {
        byte[] b = new byte[ReceiverReport.LENGTH + 10];
        ReceiverReport.write(b, 0, true, 0xFFFF_FFF0L, 123_456L, 789L, 52_000L, 17L, 0xFFFF_FFFEL, 13_500L);
        assertTrue(ReceiverReport.isValid(b, 0, ReceiverReport.LENGTH + 10));
        assertTrue(ReceiverReport.batchFollows(b, 0));
        assertEquals(0xFFFF_FFF0L, ReceiverReport.timestampUs(b, 0));
        assertEquals(123_456L, ReceiverReport.echoTimestampUs(b, 0));
        assertEquals(789L, ReceiverReport.echoDelayUs(b, 0));
        assertEquals(52_000L, ReceiverReport.lossPpm(b, 0));
        assertEquals(17L, ReceiverReport.framesLost(b, 0));
        assertEquals(0xFFFF_FFFEL, ReceiverReport.highestSequence(b, 0));
        assertEquals(13_500L, ReceiverReport.jitterUs(b, 0));
    }

    @Test
    void shouldRefuseWhatIsNotAReport() {
        byte[] b = new byte[ReceiverReport.LENGTH];
        ReceiverReport.write(b, 0, false, 1, 0, 0, 0, 0, 0, 0);
        assertTrue(ReceiverReport.isValid(b, 0, ReceiverReport.LENGTH));
        assertFalse(ReceiverReport.isValid(b, 0, ReceiverReport.LENGTH - 1), "truncated");
        assertFalse(ReceiverReport.isValid(new byte[40], 0, 40), "wrong kind");
        byte[] follows = b.clone();
        follows[ReceiverReport.FLAGS_OFFSET] = ReceiverReport.FLAG_BATCH_FOLLOWS;
        assertFalse(ReceiverReport.isValid(follows, 0, ReceiverReport.LENGTH), "says a batch follows, none does");
        byte[] unknownFlag = b.clone();
        unknownFlag[ReceiverReport.FLAGS_OFFSET] = 0x40;
        assertFalse(ReceiverReport.isValid(unknownFlag, 0, ReceiverReport.LENGTH));
        byte[] lossOver = b.clone();
        PayloadHeader.putInt(lossOver, ReceiverReport.LOSS_OFFSET, 1_000_001);
        assertFalse(ReceiverReport.isValid(lossOver, 0, ReceiverReport.LENGTH), "more than all lost");
        byte[] unknownLoss = b.clone();
        PayloadHeader.putInt(unknownLoss, ReceiverReport.LOSS_OFFSET, (int) ReceiverReport.LOSS_UNKNOWN);
        assertTrue(ReceiverReport.isValid(unknownLoss, 0, ReceiverReport.LENGTH));
    }
}
