package dev.viz.transport.stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.viz.transport.stream.internal.FramedStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * Jazzer over what a stranger controls on a stream: the bytes of a raw or WebSocket stream, fed to
 * the frame reader in pieces of any size (HttpHeadFuzzTest does the HTTP head reader). Whatever
 * arrives, nothing throws, no payload over the limit is delivered, and the reader's memory stays
 * what it allocated up front.
 *
 * <p>{@code mvn verify} fuzzes for {@value #SECONDS} s per target (the module's {@code fuzz}
 * execution sets {@code JAZZER_FUZZ=1}); without it the saved inputs are replayed.
 */
class StreamFramingFuzzTest {
    static final int SECONDS = 10;
    private static final int MAX_PAYLOAD = 1400;

    /** A channel that hands out the fuzzer's bytes in the chunk sizes it chooses, then reports the end. */
    private static final class ChunkedChannel implements ByteChannel {
        private final FuzzedDataProvider data;
        private boolean open = true;

        ChunkedChannel(FuzzedDataProvider data) {
            this.data = data;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (data.remainingBytes() == 0) {
                return -1;
            }
            byte[] chunk = data.consumeBytes(Math.min(dst.remaining(), data.consumeInt(0, 2048)));
            dst.put(chunk);
            return chunk.length;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    @FuzzTest(maxDuration = SECONDS + "s")
    void shouldReadOnlyWellFormedFramesWithinTheLimit(FuzzedDataProvider data) {
        FramedStream.Framing framing = data.pickValue(FramedStream.Framing.values());
        FramedStream stream = new FramedStream(new ChunkedChannel(data), null, framing, MAX_PAYLOAD);
        byte[] out = new byte[65_536];
        for (int i = 0; i < 10_000; i++) {
            int n = stream.readFrame(out, 0, out.length);
            assertTrue(n <= MAX_PAYLOAD, "a frame over the limit was delivered: " + n);
            if (n == FramedStream.CLOSED) {
                break;
            }
            if (n == 0 && data.remainingBytes() == 0) {
                break;
            }
        }
    }
}
