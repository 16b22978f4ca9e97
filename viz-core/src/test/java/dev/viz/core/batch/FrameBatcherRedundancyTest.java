package dev.viz.core.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.wire.AudioBatch;
import dev.viz.core.wire.PayloadHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FrameBatcherRedundancyTest {
    private static final int MAX_PAYLOAD = 1339;
    private final FrameBatcher sender = new FrameBatcher();
    private final FrameBatcher receiver = new FrameBatcher();
    private final byte[] payload = new byte[MAX_PAYLOAD];

    private record Got(boolean copy, long sequence, byte[] bytes) { }

    @BeforeEach
    void open() {
        sender.open(AudioFormat.mono48k(40), 8, MAX_PAYLOAD, new NoCompressor());
        receiver.open(AudioFormat.mono48k(40), 8, MAX_PAYLOAD, new NoCompressor());
    }

    private static byte[] bytes(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private List<Got> read(int length) {
        List<Got> got = new ArrayList<>();
        int status = receiver.read(payload, 0, length, new Batcher.FrameHandler() {
            @Override
            public void onFrame(long sequence, byte[] buffer, int offset, int len) {
                got.add(new Got(false, sequence, Arrays.copyOfRange(buffer, offset, offset + len)));
            }

            @Override
            public void onRedundantFrame(long sequence, byte[] buffer, int offset, int len) {
                got.add(new Got(true, sequence, Arrays.copyOfRange(buffer, offset, offset + len)));
            }
        });
        return status < 0 ? null : got;
    }

    @Test
    void shouldCarryCopiesOfThePreviousFramesBeforeTheFrames() {
        for (int i = 0; i < 8; i++) {
            sender.append(108 + i, bytes(120, 108 + i), 0, 120);
        }
        // Newest first: 107, 106, ... 100 (103 was silent).
        for (long s = 107; s >= 100; s--) {
            int length = s == 103 ? 0 : 30;
            assertEquals(Batcher.APPENDED, sender.appendRedundant(s, bytes(length, -s), 0, length));
        }
        int length = sender.flush(payload, 0);
        assertTrue((payload[AudioBatch.FLAGS_OFFSET] & AudioBatch.FLAG_REDUNDANT) != 0);
        List<Got> got = read(length);
        assertEquals(16, got.size());
        for (int j = 0; j < 8; j++) {
            Got copy = got.get(j);
            assertTrue(copy.copy());
            assertEquals(100 + j, copy.sequence(), "copies oldest first");
            assertArrayEquals(bytes(100 + j == 103 ? 0 : 30, -(100 + j)), copy.bytes());
        }
        for (int i = 0; i < 8; i++) {
            Got frame = got.get(8 + i);
            assertEquals(false, frame.copy());
            assertEquals(108 + i, frame.sequence());
            assertArrayEquals(bytes(120, 108 + i), frame.bytes());
        }
    }

    @Test
    void shouldCarryOnlyTheCopiesThatFitAndThatFollow() {
        for (int i = 0; i < 8; i++) {
            sender.append(20 + i, bytes(150, i), 0, 150);
        }
        assertEquals(Batcher.FLUSH_FIRST, sender.appendRedundant(18, bytes(30, 1), 0, 30), "19 must come first");
        int added = 0;
        for (long s = 19; s >= 0; s--) {
            if (sender.appendRedundant(s, bytes(30, s), 0, 30) != Batcher.APPENDED) {
                break;
            }
            added++;
        }
        assertTrue(added > 0 && added < 20, "copies added " + added);
        assertEquals(Batcher.FLUSH_FIRST, sender.append(28, bytes(150, 8), 0, 150), "no frame after copies");
        int length = sender.flush(payload, 0);
        assertTrue(length <= MAX_PAYLOAD, "length " + length);
        assertEquals(8 + added, read(length).size());
    }

    @Test
    void shouldRefuseALyingRedundancyBlock() {
        for (int i = 0; i < 2; i++) {
            sender.append(i + 5, bytes(10, i), 0, 10);
        }
        sender.appendRedundant(4, bytes(10, 4), 0, 10);
        int length = sender.flush(payload, 0);
        byte[] good = payload.clone();
        // The block starts after the two 10-byte frames and their one length (uniform; stored as is).
        int countAt = AudioBatch.AREA_OFFSET + new NoCompressor().maxOverheadBytes() + 2 + 20;
        assertEquals(1, payload[countAt]);
        payload[countAt] = 2;
        assertEquals(Batcher.ERROR_MALFORMED, readStatus(length), "count says 2");
        System.arraycopy(good, 0, payload, 0, length);
        PayloadHeader.putShort(payload, countAt + 1, 11);
        assertEquals(Batcher.ERROR_MALFORMED, readStatus(length), "length says 11");
        System.arraycopy(good, 0, payload, 0, length);
        payload[countAt] = 0;
        assertEquals(Batcher.ERROR_MALFORMED, readStatus(length), "a block of no copies");
        System.arraycopy(good, 0, payload, 0, length);
        assertEquals(2, readStatus(length));
    }

    private int readStatus(int length) {
        return receiver.read(payload, 0, length, (s, b, o, l) -> { });
    }
}
