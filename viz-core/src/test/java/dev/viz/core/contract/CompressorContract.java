package dev.viz.core.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Compressor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link Compressor} must do: round trips on every kind of data, a bounded overhead, a
 * hard bound on decompressed size, and no exception on any input. Extend it with a concrete test
 * that supplies {@link #newCompressor()}.
 */
public abstract class CompressorContract {
    private static final byte CANARY = (byte) 0xA5;

    /** A new compressor at the implementation's default settings. */
    protected abstract Compressor newCompressor();

    /** Kinds of payload a compressor sees, or might. */
    protected enum Data {
        EMPTY, ONE_BYTE, RANDOM, ZEROS, OPUS_LIKE, PCM, TEXT, LARGE_RANDOM, LARGE_ZEROS;

        byte[] make(Random random) {
            return switch (this) {
                case EMPTY -> new byte[0];
                case ONE_BYTE -> new byte[] {42};
                case RANDOM -> randomBytes(random, 1300);
                case ZEROS -> new byte[4096];
                case OPUS_LIKE -> opusLike(random, 8);
                case PCM -> pcm(1920);
                case TEXT -> ("Viz sends Opus frames in batches of eight; this sentence repeats. ".repeat(20))
                        .getBytes(StandardCharsets.UTF_8);
                case LARGE_RANDOM -> randomBytes(random, 60_000);
                case LARGE_ZEROS -> new byte[60_000];
            };
        }
    }

    static byte[] randomBytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    /**
     * A batch of {@code frames} Opus-like packets: a 2-byte length and a TOC byte before each
     * 160-byte high-entropy frame, with some 1-byte DTX frames between; as close to 8 bits per byte
     * as real Opus.
     */
    protected static byte[] opusLike(Random random, int frames) {
        byte[] out = new byte[frames * 163];
        int at = 0;
        for (int f = 0; f < frames; f++) {
            int length = random.nextInt(4) == 0 ? 1 : 160;
            out[at++] = (byte) (length >> 8);
            out[at++] = (byte) length;
            out[at++] = 0x78;
            for (int i = 1; i < length; i++) {
                out[at++] = (byte) random.nextInt();
            }
        }
        return Arrays.copyOf(out, at);
    }

    /** 16-bit little-endian PCM of a 440 Hz tone with a little noise: compressible, as PCM is. */
    static byte[] pcm(int samples) {
        Random random = new Random(7);
        byte[] out = new byte[samples * 2];
        for (int i = 0; i < samples; i++) {
            int s = (int) (8000 * Math.sin(2 * Math.PI * 440 * i / 48_000.0)) + random.nextInt(16) - 8;
            out[2 * i] = (byte) s;
            out[2 * i + 1] = (byte) (s >> 8);
        }
        return out;
    }

    /** Compresses {@code data} at source offset 3 into a buffer at offset 5; returns just the output. */
    protected static byte[] compress(Compressor compressor, byte[] data) {
        byte[] src = new byte[data.length + 6];
        System.arraycopy(data, 0, src, 3, data.length);
        int capacity = data.length + compressor.maxOverheadBytes();
        byte[] dst = new byte[capacity + 9];
        Arrays.fill(dst, CANARY);
        int length = compressor.compress(src, 3, data.length, dst, 5, capacity);
        assertTrue(length >= 0, "compress returned " + length);
        assertTrue(length <= data.length + compressor.maxOverheadBytes(),
                length + " bytes from " + data.length + ": more than maxOverheadBytes " + compressor.maxOverheadBytes());
        assertCanaries(dst, 5, length);
        return Arrays.copyOfRange(dst, 5, 5 + length);
    }

    private static void assertCanaries(byte[] buffer, int from, int length) {
        for (int i = 0; i < buffer.length; i++) {
            if (i < from || i >= from + Math.max(0, length)) {
                assertEquals(CANARY, buffer[i], "byte " + i + " written outside [" + from + ", " + (from + length) + ")");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Data.class)
    void shouldRoundTrip(Data kind) {
        byte[] data = kind.make(new Random(kind.ordinal()));
        try (Compressor compressor = newCompressor()) {
            byte[] compressed = compress(compressor, data);
            byte[] src = new byte[compressed.length + 4];
            System.arraycopy(compressed, 0, src, 2, compressed.length);
            byte[] dst = new byte[data.length + 20];
            Arrays.fill(dst, CANARY);
            int length = compressor.decompress(src, 2, compressed.length, dst, 4, data.length);
            assertEquals(data.length, length, "decompressed length");
            assertArrayEquals(data, Arrays.copyOfRange(dst, 4, 4 + length));
            assertCanaries(dst, 4, length);
            System.out.printf("%s: %s %d -> %d bytes (%.3f)%n", compressor.name(), kind, data.length, compressed.length,
                    data.length == 0 ? 1.0 : compressed.length / (double) data.length);
        }
    }

    @Test
    void shouldNeverGrowMoreThanItsOverheadOnThousandsOfInputs() {
        Random random = new Random(11);
        try (Compressor compressor = newCompressor()) {
            for (int i = 0; i < 2000; i++) {
                int length = random.nextInt(i % 10 == 0 ? 20_000 : 1500);
                byte[] data = switch (i % 4) {
                    case 0 -> randomBytes(random, length);
                    case 1 -> opusLike(random, 1 + random.nextInt(8));
                    case 2 -> new byte[length];
                    default -> Arrays.copyOf(Data.TEXT.make(random), Math.min(length, 1340));
                };
                byte[] compressed = compress(compressor, data);
                byte[] back = new byte[data.length];
                assertEquals(data.length, compressor.decompress(compressed, 0, compressed.length, back, 0, data.length),
                        "input " + i);
                assertArrayEquals(data, back, "input " + i);
            }
        }
    }

    @Test
    void shouldRefuseADestinationBelowTheBound() {
        try (Compressor compressor = newCompressor()) {
            byte[] data = new byte[1000];
            byte[] dst = new byte[2000];
            int capacity = data.length + compressor.maxOverheadBytes() - 1;
            assertTrue(compressor.compress(data, 0, data.length, dst, 0, capacity) < 0,
                    "dstCapacity below length + maxOverheadBytes must be refused");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Data.class, names = {"RANDOM", "ZEROS", "OPUS_LIKE", "TEXT", "LARGE_ZEROS"})
    void shouldRefuseContentLargerThanMaxLength(Data kind) {
        byte[] data = kind.make(new Random(3));
        try (Compressor compressor = newCompressor()) {
            byte[] compressed = compress(compressor, data);
            int maxLength = data.length - 1;
            byte[] dst = new byte[data.length + 64];
            Arrays.fill(dst, CANARY);
            assertEquals(Compressor.ERROR_TOO_LARGE, compressor.decompress(compressed, 0, compressed.length, dst, 0,
                    maxLength), "maxLength one below the content");
            assertCanaries(dst, 0, maxLength);
            // The room in the array bounds the output too.
            byte[] small = new byte[data.length / 2];
            assertEquals(Compressor.ERROR_TOO_LARGE, compressor.decompress(compressed, 0, compressed.length, small, 0,
                    data.length), "an array with half the room");
        }
    }

    @Test
    void shouldNeverThrowOnThousandsOfMalformedInputs() {
        Random random = new Random(0xBADC0DE);
        try (Compressor compressor = newCompressor()) {
            byte[][] valid = {
                compress(compressor, new byte[3000]),
                compress(compressor, Data.TEXT.make(random)),
                compress(compressor, Data.PCM.make(random)),
                compress(compressor, opusLike(random, 8)),
                compress(compressor, randomBytes(random, 200)),
            };
            int[] outcomes = new int[4];
            for (int i = 0; i < 5000; i++) {
                byte[] input = i % 3 == 0 ? randomBytes(random, random.nextInt(2000))
                        : mutate(valid[random.nextInt(valid.length)], random);
                int maxLength = random.nextInt(5000);
                int dstOffset = random.nextInt(8);
                byte[] dst = new byte[dstOffset + maxLength + 32];
                Arrays.fill(dst, CANARY);
                int result = compressor.decompress(input, 0, input.length, dst, dstOffset, maxLength);
                assertTrue(result <= maxLength, "produced " + result + " bytes, maxLength " + maxLength);
                assertTrue(result >= 0 || result == Compressor.ERROR_CORRUPT || result == Compressor.ERROR_TOO_LARGE,
                        "unexpected status " + result);
                assertCanaries(dst, dstOffset, maxLength);
                outcomes[result >= 0 ? 0 : -result]++;
            }
            System.out.printf("%s: 5000 malformed inputs: %d decoded, %d corrupt, %d too large%n", compressor.name(),
                    outcomes[0], outcomes[-Compressor.ERROR_CORRUPT], outcomes[-Compressor.ERROR_TOO_LARGE]);
        }
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] b = valid.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int k = 0; k < 1 + random.nextInt(6); k++) {
                    int at = random.nextInt(b.length);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            case 2 -> {
                byte[] tail = randomBytes(random, 1 + random.nextInt(64));
                byte[] longer = Arrays.copyOf(b, b.length + tail.length);
                System.arraycopy(tail, 0, longer, b.length, tail.length);
                b = longer;
            }
            case 3 -> {
                int at = random.nextInt(b.length);
                int n = Math.min(b.length - at, 1 + random.nextInt(16));
                for (int k = 0; k < n; k++) {
                    b[at + k] = (byte) random.nextInt();
                }
            }
            default -> b[Math.min(b.length - 1, random.nextInt(12))] = (byte) random.nextInt();
        }
        return b;
    }
}
