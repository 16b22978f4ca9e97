package dev.viz.transport.secure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DataHeaderTest {
    @Test
    void shouldReconstructTheFullCounterNearTheHighestSeen() {
        assertEquals(0, DataHeader.reconstruct(-1, 0));
        assertEquals(5, DataHeader.reconstruct(-1, 5));
        assertEquals(1L << 32, DataHeader.reconstruct((1L << 32) - 1, 0), "across the 32-bit wrap");
        assertEquals((1L << 32) - 3, DataHeader.reconstruct((1L << 32) + 10, (int) ((1L << 32) - 3)), "late, before the wrap");
        assertEquals((3L << 32) + 7, DataHeader.reconstruct((3L << 32) + 2, 7));
        Random random = new Random(8);
        for (int i = 0; i < 1_000_000; i++) {
            long highest = random.nextLong() & ((1L << 62) - 1);
            long counter = highest + random.nextInt(1 << 20) - (1 << 19);
            if (counter < 0) {
                continue;
            }
            assertEquals(counter, DataHeader.reconstruct(highest, (int) counter), "highest " + highest);
        }
    }

    @Test
    void shouldWriteTheHeaderItReads() {
        byte[] header = new byte[DataHeader.LENGTH];
        DataHeader.put(header, 0, 0xCAFEBABE, 0x1234_5678_9ABC_DEF0L);
        assertEquals(DataHeader.TYPE, header[0]);
        assertEquals(0xCAFEBABE, DataHeader.receiverIndex(header, 0));
        assertEquals(0x9ABC_DEF0, DataHeader.wireCounter(header, 0));
    }
}
