package dev.viz.core.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link Batcher} must do, run against each implementation and compressor by a subclass. */
public abstract class BatcherContract {
    protected static final int MAX_PAYLOAD = 1400;
    private Batcher sender;
    private Batcher receiver;
    private final byte[] payload = new byte[MAX_PAYLOAD];

    protected abstract Batcher newBatcher();

    protected abstract Compressor newCompressor();

    @BeforeEach
    void open() {
        sender = newBatcher();
        receiver = newBatcher();
        sender.open(AudioFormat.mono48k(40), 8, MAX_PAYLOAD, newCompressor());
        receiver.open(AudioFormat.mono48k(40), 8, MAX_PAYLOAD, newCompressor());
    }

    private record Frame(long sequence, byte[] bytes) { }

    private List<Frame> read(byte[] src, int length) {
        List<Frame> frames = new ArrayList<>();
        int status = receiver.read(src, 0, length,
                (seq, buf, off, len) -> frames.add(new Frame(seq, Arrays.copyOfRange(buf, off, off + len))));
        if (status < 0) {
            return null;
        }
        assertEquals(frames.size(), status);
        return frames;
    }

    private static byte[] frame(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void shouldCarryUniformFramesWithTheirSequenceNumbers() {
        for (int i = 0; i < 8; i++) {
            assertEquals(Batcher.APPENDED, sender.append(1000 + i, frame(160, i), 0, 160));
        }
        assertTrue(sender.isComplete());
        int length = sender.flush(payload, 0);
        assertTrue(length > 8 * 160 && length <= MAX_PAYLOAD, "length " + length);
        List<Frame> frames = read(payload, length);
        assertEquals(8, frames.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(1000 + i, frames.get(i).sequence());
            assertArrayEquals(frame(160, i), frames.get(i).bytes());
        }
    }

    @Test
    void shouldCarryFramesOfDifferentLengthsIncludingEmptyOnes() {
        int[] lengths = {160, 3, 0, 200, 1, 160, 77, 90};
        for (int i = 0; i < lengths.length; i++) {
            sender.append(i, frame(lengths[i], i), 0, lengths[i]);
        }
        List<Frame> frames = read(payload, sender.flush(payload, 0));
        for (int i = 0; i < lengths.length; i++) {
            assertArrayEquals(frame(lengths[i], i), frames.get(i).bytes());
        }
    }

    @Test
    void shouldAskForAFlushRatherThanExceedTheLimit() {
        int appended = 0;
        long seq = 0;
        while (sender.append(seq, frame(Codec.MAX_ENCODED_BYTES, seq), 0, Codec.MAX_ENCODED_BYTES) == Batcher.APPENDED) {
            appended++;
            seq++;
            assertTrue(appended <= 8);
        }
        assertEquals(1, appended, "one frame of the largest size fills a 1400-byte payload");
        int length = sender.flush(payload, 0);
        assertTrue(length <= MAX_PAYLOAD);
        assertEquals(1, read(payload, length).size());
        assertEquals(Batcher.APPENDED, sender.append(seq, frame(Codec.MAX_ENCODED_BYTES, seq), 0, Codec.MAX_ENCODED_BYTES));
    }

    @Test
    void shouldAskForAFlushWhenSequenceNumbersSkip() {
        sender.append(5, frame(10, 5), 0, 10);
        assertEquals(Batcher.FLUSH_FIRST, sender.append(7, frame(10, 7), 0, 10));
    }

    @Test
    void shouldWrapSequenceNumbersAt32Bits() {
        sender.append(0xFFFF_FFFFL, frame(20, 1), 0, 20);
        assertEquals(Batcher.APPENDED, sender.append(0x1_0000_0000L, frame(20, 2), 0, 20));
        List<Frame> frames = read(payload, sender.flush(payload, 0));
        assertEquals(0xFFFF_FFFFL, frames.get(0).sequence());
        assertEquals(0L, frames.get(1).sequence());
    }

    @Test
    void shouldDescribeTheBatchToTheHandlerBeforeItsFramesWithItsAttributes() {
        for (int flags : new int[] {0, Batcher.BATCH_FEC}) {
            for (int i = 0; i < 5; i++) {
                sender.append(70 + i, frame(50, i), 0, 50);
            }
            int length = sender.flush(payload, 0, flags);
            assertEquals(Batcher.PAYLOAD_TYPE, payload[0], "the session routes batches by their first byte");
            List<String> events = new ArrayList<>();
            int status = receiver.read(payload, 0, length, new Batcher.FrameHandler() {
                @Override
                public void onBatch(long firstSequence, int frames, int batchFlags) {
                    events.add("batch " + firstSequence + " " + frames + " " + batchFlags);
                }

                @Override
                public void onFrame(long sequence, byte[] buffer, int offset, int frameLength) {
                    events.add("frame " + sequence);
                }
            });
            assertEquals(5, status);
            assertEquals(List.of("batch 70 5 " + flags, "frame 70", "frame 71", "frame 72", "frame 73", "frame 74"),
                    events);
        }
    }

    @Test
    void shouldStayWithinItsOwnSizeEstimate() {
        Compressor compressor = newCompressor();
        assertTrue(sender.maxFramesPerBatch() >= 8);
        int[] lengths = {160, 3, 0, 200, 1, 160, 77, 90};
        int bytes = 0;
        for (int i = 0; i < lengths.length; i++) {
            sender.append(i, frame(lengths[i], i), 0, lengths[i]);
            bytes += lengths[i];
        }
        int length = sender.flush(payload, 0);
        assertTrue(length <= sender.overheadBytes(8, 0) + bytes + compressor.maxOverheadBytes(),
                length + " bytes written, more than the batcher's own estimate");
        assertTrue(sender.overheadBytes(1, 0) + Codec.MAX_ENCODED_BYTES + compressor.maxOverheadBytes() <= MAX_PAYLOAD,
                "one frame of the largest size fits");
    }

    @Test
    void shouldFlushNothingWhenEmpty() {
        assertEquals(0, sender.flush(payload, 0));
    }

    @Test
    void shouldRejectEveryTruncationOfAValidBatch() {
        for (int i = 0; i < 8; i++) {
            sender.append(i, frame(100 + i, i), 0, 100 + i);
        }
        int length = sender.flush(payload, 0);
        for (int cut = 0; cut < length; cut++) {
            assertEquals(null, read(payload, cut), "truncated to " + cut);
        }
    }

    @Test
    void shouldSurviveThousandsOfRandomAndMutatedPayloads() {
        Random random = new Random(42);
        for (int i = 0; i < 8; i++) {
            sender.append(i, frame(160, i), 0, 160);
        }
        byte[] valid = Arrays.copyOf(payload, sender.flush(payload, 0));
        byte[] buf = new byte[2048];
        for (int round = 0; round < 20_000; round++) {
            int length;
            if (round % 2 == 0) {
                length = random.nextInt(buf.length);
                random.nextBytes(buf);
                buf[0] = 0x11;
            } else {
                System.arraycopy(valid, 0, buf, 0, valid.length);
                length = valid.length;
                for (int m = random.nextInt(4); m >= 0; m--) {
                    buf[random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            int frames = receiver.read(buf, 0, length, (seq, b, off, len) -> {
                assertTrue(off >= 0 && len >= 0 && off + len <= b.length && len <= Codec.MAX_ENCODED_BYTES);
            });
            assertTrue(frames <= 32, "frame count bounded");
        }
    }
}
