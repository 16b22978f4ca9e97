package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.testing.TestAudio;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ZstdCompressor's own promises: the flag byte, decompression bombs, and what it does to Opus. */
class ZstdCompressorTest {
    private static final int ONE_MB = 1 << 20;

    private static byte[] withFlag(byte flag, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = flag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    @Test
    void shouldRefuseABombThatDeclaresItsSize() {
        byte[] frame = Zstd.compress(new byte[ONE_MB]);
        assertEquals(ONE_MB, Zstd.getFrameContentSize(frame));
        byte[] bomb = withFlag(ZstdCompressor.FLAG_ZSTD, frame);
        byte[] dst = new byte[64 * 1024];
        try (ZstdCompressor zstd = new ZstdCompressor()) {
            System.out.printf("bomb: 1 MiB of zeros in %d bytes%n", bomb.length);
            assertEquals(Compressor.ERROR_TOO_LARGE, zstd.decompress(bomb, 0, bomb.length, dst, 0, dst.length));
            assertEquals(ONE_MB, zstd.decompress(bomb, 0, bomb.length, new byte[ONE_MB], 0, ONE_MB),
                    "the same frame is fine where the caller allows 1 MiB");
        }
    }

    @Test
    void shouldRefuseABombThatHidesItsSize() {
        byte[] frame;
        try (ZstdCompressCtx ctx = new ZstdCompressCtx().setContentSize(false)) {
            frame = ctx.compress(new byte[ONE_MB]);
        }
        assertEquals(-1, Zstd.getFrameContentSize(frame, 0, frame.length), "no declared size");
        byte[] bomb = withFlag(ZstdCompressor.FLAG_ZSTD, frame);
        byte[] dst = new byte[64 * 1024 + 100];
        Arrays.fill(dst, (byte) 7);
        try (ZstdCompressor zstd = new ZstdCompressor()) {
            assertEquals(Compressor.ERROR_TOO_LARGE, zstd.decompress(bomb, 0, bomb.length, dst, 0, 64 * 1024));
            for (int i = 64 * 1024; i < dst.length; i++) {
                assertEquals(7, dst[i], "written past maxLength at " + i);
            }
        }
    }

    @Test
    void shouldRefuseAFrameThatDeclaresAHugeSize() {
        // A frame header declaring 2^40 bytes (single segment, 8-byte content size), then one empty raw block.
        byte[] frame = {
            (byte) 0x28, (byte) 0xB5, (byte) 0x2F, (byte) 0xFD, // magic
            (byte) 0xE0, // frame header descriptor: 8-byte content size, single segment
            0, 0, 0, 0, 0, 1, 0, 0, // content size 2^40, little-endian
            1, 0, 0, // last block, raw, size 0
        };
        assertEquals(1L << 40, Zstd.getFrameContentSize(frame, 0, frame.length));
        byte[] bomb = withFlag(ZstdCompressor.FLAG_ZSTD, frame);
        try (ZstdCompressor zstd = new ZstdCompressor()) {
            assertEquals(Compressor.ERROR_TOO_LARGE, zstd.decompress(bomb, 0, bomb.length, new byte[4096], 0, 4096));
        }
    }

    @Test
    void shouldStoreWhatItCannotShrinkAndFlagWhatItCan() {
        try (ZstdCompressor zstd = new ZstdCompressor()) {
            byte[] random = new byte[500];
            new java.util.Random(5).nextBytes(random);
            byte[] out = new byte[600];
            assertEquals(501, zstd.compress(random, 0, random.length, out, 0, out.length));
            assertEquals(ZstdCompressor.FLAG_STORED, out[0]);
            assertArrayEquals(random, Arrays.copyOfRange(out, 1, 501), "stored as it is after the flag");

            byte[] zeros = new byte[500];
            int length = zstd.compress(zeros, 0, zeros.length, out, 0, out.length);
            assertTrue(length < 30, "zeros compress: " + length);
            assertEquals(ZstdCompressor.FLAG_ZSTD, out[0]);
            assertEquals(500, Zstd.getFrameContentSize(out, 1, length - 1), "a standard frame after the flag");

            byte[] unknownFlag = {2, 1, 2, 3};
            assertEquals(Compressor.ERROR_CORRUPT, zstd.decompress(unknownFlag, 0, 4, out, 0, out.length));
            assertEquals(Compressor.ERROR_CORRUPT, zstd.decompress(new byte[] {1}, 0, 1, out, 0, out.length),
                    "a zstd flag and nothing after it");
            assertEquals(Compressor.ERROR_CORRUPT, zstd.decompress(new byte[0], 0, 0, out, 0, out.length));
            assertEquals(0, zstd.decompress(new byte[] {0}, 0, 1, out, 0, out.length), "stored empty input");
        }
    }

    @Test
    void shouldValidateItsLevelAndCloseIdempotently() {
        assertTrue(ZstdCompressor.isAvailable(), "zstd-jni natives load on this machine: "
                + ZstdCompressor.unavailabilityCause());
        assertThrows(IllegalArgumentException.class, () -> new ZstdCompressor(99));
        ZstdCompressor fast = new ZstdCompressor(1);
        assertEquals(1, fast.level());
        fast.close();
        fast.close();
        byte[] out = new byte[20];
        assertEquals(11, fast.compress(new byte[10], 0, 10, out, 0, 20), "a closed compressor stores");
        assertEquals(Compressor.ERROR_CORRUPT, fast.decompress(new byte[] {1, 1, 1}, 0, 3, out, 0, 20));
    }

    /**
     * Real Opus (the test speech through OpusCodec at the defaults, in batches of 8 frames with a
     * 2-byte length before each frame, as a batcher lays them out): how often does zstd pay?
     */
    @Test
    void shouldReportWhatZstdDoesToOpusBatches() {
        for (String clip : new String[] {TestAudio.SPEECH, TestAudio.SPEECH_WITH_GAPS}) {
            short[] speech = TestAudio.samples(clip);
            AudioFormat format = AudioFormat.mono48k(40);
            int frame = format.frameSamples();
            long raw = 0;
            long sent = 0;
            long zstdAlone = 0;
            int batches = 0;
            int compressedBatches = 0;
            int compressedWithSpeech = 0;
            boolean speechInBatch = false;
            try (OpusCodec codec = new OpusCodec(); ZstdCompressor zstd = new ZstdCompressor()) {
                codec.open(format);
                byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                int inBatch = 0;
                for (int at = 0; at + frame <= speech.length; at += frame) {
                    int length = codec.encode(speech, at, packet, 0, packet.length);
                    batch.write(length >> 8);
                    batch.write(length);
                    batch.write(packet, 0, length);
                    speechInBatch |= length > 2;
                    if (++inBatch == 8 || at + 2 * frame > speech.length) {
                        byte[] payload = batch.toByteArray();
                        byte[] out = new byte[payload.length + 1];
                        int n = zstd.compress(payload, 0, payload.length, out, 0, out.length);
                        byte[] back = new byte[payload.length];
                        assertEquals(payload.length, zstd.decompress(out, 0, n, back, 0, back.length));
                        assertArrayEquals(payload, back);
                        raw += payload.length;
                        sent += n;
                        zstdAlone += Zstd.compress(payload, 3).length;
                        batches++;
                        if (out[0] == ZstdCompressor.FLAG_ZSTD) {
                            compressedBatches++;
                            compressedWithSpeech += speechInBatch ? 1 : 0;
                        }
                        speechInBatch = false;
                        batch.reset();
                        inBatch = 0;
                    }
                }
            }
            System.out.printf("%s: %d Opus batches of 8 x 40 ms, %d bytes; zstd alone would make %d (%.4f); with the"
                    + " flag %d bytes sent (%.4f), %d batches compressed (%d of them with speech frames)%n", clip,
                    batches, raw, zstdAlone, zstdAlone / (double) raw, sent, sent / (double) raw, compressedBatches,
                    compressedWithSpeech);
            assertTrue(sent <= raw + batches, "never more than one byte per batch");
        }
    }
}
