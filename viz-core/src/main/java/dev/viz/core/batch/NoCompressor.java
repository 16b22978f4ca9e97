package dev.viz.core.batch;

import dev.viz.core.Compressor;

/**
 * A {@link Compressor} that stores its input as it is: no overhead at all. For measuring what the
 * real compressor costs, and for peers that agree to send Opus as it is.
 */
public final class NoCompressor implements Compressor {
    /** A compressor that stores; stateless, so one may be shared. */
    public NoCompressor() {
    }

    @Override
    public String name() {
        return "none";
    }

    @Override
    public int maxOverheadBytes() {
        return 0;
    }

    @Override
    public int compress(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset, int dstCapacity) {
        if (length > dstCapacity || length > dst.length - dstOffset) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        System.arraycopy(src, srcOffset, dst, dstOffset, length);
        return length;
    }

    @Override
    public int decompress(byte[] src, int srcOffset, int length, byte[] dst, int dstOffset, int maxLength) {
        if (length > maxLength || length > dst.length - dstOffset) {
            return ERROR_TOO_LARGE;
        }
        System.arraycopy(src, srcOffset, dst, dstOffset, length);
        return length;
    }
}
