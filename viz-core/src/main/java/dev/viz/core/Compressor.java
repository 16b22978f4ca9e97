package dev.viz.core;

/**
 * Bytes to bytes over the frames area of an audio batch, with a hard bound on what decompression
 * may produce.
 *
 * <p>The network thread alone calls an instance, for both directions. A compressor must never make
 * its input larger by more than {@link #maxOverheadBytes()}: it stores the input as it is whenever
 * compression does not pay (which, on Opus packets, is almost always).
 */
public interface Compressor extends AutoCloseable {

    /** A negative status: the input is not valid compressed data. */
    int ERROR_CORRUPT = -1;

    /** A negative status: the data would decompress to more than the caller allows (a bomb). */
    int ERROR_TOO_LARGE = -2;

    /** A negative status: the output buffer was too small. */
    int ERROR_BUFFER_TOO_SMALL = -3;

    /** A short name, for example {@code zstd} or {@code none}. */
    String name();

    /** The most that {@link #compress} ever adds to its input's length. */
    int maxOverheadBytes();

    /**
     * Compresses {@code src[srcOffset .. srcOffset + length)} into {@code dst[dstOffset ..]}.
     *
     * @return bytes written, never more than {@code length + maxOverheadBytes()}, or a negative
     *     status when {@code dstCapacity} is below that bound
     */
    int compress(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset, int dstCapacity);

    /**
     * Decompresses into {@code dst[dstOffset ..]}, producing at most {@code maxLength} bytes
     * whatever the input claims. Never throws on malformed input.
     *
     * @return bytes written, or {@link #ERROR_CORRUPT}, {@link #ERROR_TOO_LARGE}
     */
    int decompress(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset, int maxLength);

    @Override
    default void close() {
    }
}
