package dev.viz.audio;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.viz.core.Compressor;

/**
 * Zstandard through <a href="https://github.com/luben/zstd-jni">zstd-jni</a>, behind a one-byte
 * flag that lets it store what it cannot shrink.
 *
 * <pre>
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 ...
 * +---------------+-------------------------------+
 * |     flag      |  the input as it is (flag 0)  |
 * |               |  or one Zstandard frame (1)   |
 * +---------------+-------------------------------+
 * </pre>
 *
 * <p>Flag 0: the input follows unchanged; chosen whenever Zstandard would not make it smaller. Flag
 * 1: a standard Zstandard frame (with its content size, without checksum: the transport
 * authenticates every datagram) follows. So the output is never more than one byte longer than the
 * input ({@link #maxOverheadBytes()} = 1), and a compressed output is never longer than its input.
 *
 * <p><b>What it saves.</b> Opus packets are already close to 8 bits of entropy per byte: on Opus
 * batches Zstandard almost never pays and this compressor stores them, costing one byte per
 * datagram. It pays on PCM, text and other redundant payloads. See {@code docs/audio-pipeline.md}
 * for the figures measured on the test speech.
 *
 * <p><b>Bounds.</b> {@link #decompress} never produces more than {@code maxLength} bytes: a frame
 * whose header declares a larger content is refused before any work, and the decoder is given no
 * more room than {@code maxLength}, so a frame that lies about its size or declares none cannot
 * write further ({@link #ERROR_TOO_LARGE}). Malformed input gives {@link #ERROR_CORRUPT}; nothing is
 * thrown.
 *
 * <p><b>Threads and allocation.</b> One instance per network thread, which alone calls it (zstd-jni
 * contexts are not to be shared). It reuses one compression and one decompression context and a
 * scratch buffer that grows to the largest input seen; in steady state it allocates nothing (an
 * exception object is created only when zstd-jni reports malformed input).
 *
 * <p><b>Native code.</b> zstd-jni bundles its native library for the common platforms; where none
 * loads, {@link #isAvailable()} is false and {@link #unavailabilityCause()} says why.
 */
public final class ZstdCompressor implements Compressor {
    /** The default compression level: 3, zstd's own default. */
    public static final int DEFAULT_LEVEL = 3;

    /** Flag byte: the input is stored as it is. */
    public static final byte FLAG_STORED = 0;
    /** Flag byte: a Zstandard frame follows. */
    public static final byte FLAG_ZSTD = 1;

    private static final NativeProbe<Boolean> PROBE = new NativeProbe<>("Zstandard",
            "zstd-jni has no native library for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + "; use dev.viz.core.batch.NoCompressor instead",
            () -> {
                new ZstdCompressCtx().close();
                return Boolean.TRUE;
            });

    private final int level;
    private final ZstdCompressCtx compressCtx;
    private final ZstdDecompressCtx decompressCtx;
    private byte[] scratch = new byte[compressBound(2048)];
    private boolean closed;

    /** A compressor at {@link #DEFAULT_LEVEL}. */
    public ZstdCompressor() {
        this(DEFAULT_LEVEL);
    }

    /**
     * A compressor at {@code level} (zstd's levels: negative for faster, 1 to 22 for smaller; 3 is
     * its default).
     *
     * @throws IllegalStateException when zstd-jni's native library cannot be loaded here
     * @throws IllegalArgumentException for a level zstd does not have
     */
    public ZstdCompressor(int level) {
        if (!PROBE.isAvailable()) {
            throw new IllegalStateException(PROBE.explanation(), PROBE.unavailabilityCause());
        }
        if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel()) {
            throw new IllegalArgumentException("zstd level " + level + ": use " + Zstd.minCompressionLevel() + " to "
                    + Zstd.maxCompressionLevel());
        }
        this.level = level;
        this.compressCtx = new ZstdCompressCtx().setLevel(level).setChecksum(false).setContentSize(true);
        this.decompressCtx = new ZstdDecompressCtx();
    }

    /** Whether zstd-jni's native library loaded on this platform (probed once). */
    public static boolean isAvailable() {
        return PROBE.isAvailable();
    }

    /** The error zstd-jni's loader threw, untouched, or null when it loaded. */
    public static Throwable unavailabilityCause() {
        return PROBE.unavailabilityCause();
    }

    /** Worst-case Zstandard output for {@code length} input bytes (zstd's ZSTD_COMPRESSBOUND). */
    static int compressBound(int length) {
        int margin = length < (128 << 10) ? ((128 << 10) - length) >> 11 : 0;
        return length + (length >> 8) + margin;
    }

    @Override
    public String name() {
        return "zstd";
    }

    /** The compression level. */
    public int level() {
        return level;
    }

    /** One: the flag byte. */
    @Override
    public int maxOverheadBytes() {
        return 1;
    }

    /**
     * Network thread. Writes the flag and either a Zstandard frame (when it is shorter than the
     * input) or the input as it is.
     *
     * @return bytes written, at most {@code length + 1}; {@link #ERROR_BUFFER_TOO_SMALL} when
     *     {@code dstCapacity} (or the room in {@code dst}) is below {@code length + 1}
     * @throws IndexOutOfBoundsException when {@code src} does not hold the range given
     */
    @Override
    public int compress(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset, int dstCapacity) {
        java.util.Objects.checkFromIndexSize(srcOffset, length, src.length);
        if (dstOffset < 0 || dstOffset > dst.length || Math.min(dstCapacity, dst.length - dstOffset) < length + 1) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        int compressed = -1;
        if (length > 0 && !closed) {
            int bound = compressBound(length);
            if (scratch.length < bound) {
                scratch = new byte[bound];
            }
            try {
                compressed = compressCtx.compressByteArray(scratch, 0, scratch.length, src, srcOffset, length);
            } catch (RuntimeException e) {
                compressed = -1;
            }
        }
        if (compressed > 0 && compressed < length) {
            dst[dstOffset] = FLAG_ZSTD;
            System.arraycopy(scratch, 0, dst, dstOffset + 1, compressed);
            return compressed + 1;
        }
        dst[dstOffset] = FLAG_STORED;
        System.arraycopy(src, srcOffset, dst, dstOffset + 1, length);
        return length + 1;
    }

    /**
     * Network thread. Never throws and never writes more than {@code maxLength} bytes (nor past the
     * end of {@code dst}).
     *
     * @return bytes written; {@link #ERROR_TOO_LARGE} when the content exceeds {@code maxLength} or
     *     the room in {@code dst}; {@link #ERROR_CORRUPT} for anything that is not this format
     */
    @Override
    public int decompress(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset, int maxLength) {
        if (src == null || dst == null || length < 1 || srcOffset < 0 || srcOffset > src.length - length) {
            return ERROR_CORRUPT;
        }
        if (dstOffset < 0 || dstOffset > dst.length) {
            return ERROR_TOO_LARGE;
        }
        int room = Math.max(0, Math.min(maxLength, dst.length - dstOffset));
        byte flag = src[srcOffset];
        int payloadOffset = srcOffset + 1;
        int payload = length - 1;
        if (flag == FLAG_STORED) {
            if (payload > room) {
                return ERROR_TOO_LARGE;
            }
            System.arraycopy(src, payloadOffset, dst, dstOffset, payload);
            return payload;
        }
        if (flag != FLAG_ZSTD || payload < 1 || closed) {
            return ERROR_CORRUPT;
        }
        try {
            long declared = Zstd.getFrameContentSize(src, payloadOffset, payload);
            if (declared == -2) {
                return ERROR_CORRUPT;
            }
            // -1: not declared (zstd's CONTENTSIZE_UNKNOWN); below that, an unsigned size beyond 2^63.
            if (declared < -2 || declared > room) {
                return ERROR_TOO_LARGE;
            }
            return decompressCtx.decompressByteArray(dst, dstOffset, room, src, payloadOffset, payload);
        } catch (ZstdException e) {
            return e.getErrorCode() == Zstd.errDstSizeTooSmall() ? ERROR_TOO_LARGE : ERROR_CORRUPT;
        } catch (RuntimeException e) {
            return ERROR_CORRUPT;
        }
    }

    /** Frees the native contexts. Idempotent; afterwards compress stores and decompress refuses frames. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            compressCtx.close();
            decompressCtx.close();
        }
    }

    @Override
    public String toString() {
        return "zstd level " + level;
    }
}
