package dev.viz.core.testing;

import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;

/**
 * A second {@link Batcher} with a wire format of its own, to prove the session does not depend on
 * {@link dev.viz.core.batch.FrameBatcher}'s: every frame carries its own length, the count comes
 * after the sequence number, nothing is compressed and no redundant copies are carried.
 *
 * <pre>
 *   0               1               2               3
 *  +---------------+---------------+-------------------------------+
 *  | 0x11 (session)|  attributes   |  first sequence (u32) ...     |
 *  +---------------+---------------+-------------------------------+
 *  |  ... sequence |  frame count  | length 0 (u16)| frame 0 ...   |
 *  +---------------+---------------+---------------+---------------+
 *  | length 1 (u16)| frame 1 ...   |  ...                          |
 * </pre>
 *
 * Attributes: bit 0 is {@link Batcher#BATCH_FEC}; any other bit is refused. Network thread only;
 * allocation-free after {@link #open}.
 */
public final class PlainBatcher implements Batcher {
    private static final int ATTRIBUTES_OFFSET = 1;
    private static final int SEQUENCE_OFFSET = 2;
    private static final int COUNT_OFFSET = 6;
    private static final int FRAMES_OFFSET = 7;
    private static final int LENGTH_BYTES = 2;
    private static final int MAX_FRAMES = 16;
    /** The least room for one frame a batch must have (the session caps its frames to the room): 60 ms at 32 kbit/s. */
    private static final int MIN_FRAME_BYTES = 240;

    private final int[] lengths = new int[MAX_FRAMES];
    private byte[] staging;
    private int framesPerBatch;
    private int maxPayloadBytes;
    private int pending;
    private int staged;
    private long first;

    @Override
    public void open(AudioFormat format, int framesPerBatch, int maxPayloadBytes, Compressor compressor) {
        if (framesPerBatch < 1 || framesPerBatch > MAX_FRAMES) {
            throw new IllegalArgumentException("frames per batch " + framesPerBatch + ": use 1 to " + MAX_FRAMES);
        }
        if (maxPayloadBytes < overheadBytes(1, 0) + MIN_FRAME_BYTES) {
            throw new IllegalArgumentException("payload limit " + maxPayloadBytes + " is too small for one frame");
        }
        this.framesPerBatch = framesPerBatch;
        this.maxPayloadBytes = maxPayloadBytes;
        this.staging = new byte[Math.max(maxPayloadBytes, Codec.MAX_ENCODED_BYTES)];
        this.pending = 0;
        this.staged = 0;
    }

    @Override
    public int maxFramesPerBatch() {
        return MAX_FRAMES;
    }

    @Override
    public int overheadBytes(int frames, int copies) {
        return FRAMES_OFFSET + LENGTH_BYTES * frames;
    }

    @Override
    public int append(long sequence, byte[] frame, int offset, int length) {
        if (length < 0 || length > Codec.MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("frame length " + length);
        }
        if (pending > 0) {
            boolean follows = ((first + pending) & 0xFFFF_FFFFL) == (sequence & 0xFFFF_FFFFL);
            if (!follows || pending == framesPerBatch
                    || overheadBytes(pending + 1, 0) + staged + length > maxPayloadBytes) {
                return FLUSH_FIRST;
            }
        } else {
            first = sequence & 0xFFFF_FFFFL;
        }
        System.arraycopy(frame, offset, staging, staged, length);
        lengths[pending++] = length;
        staged += length;
        return APPENDED;
    }

    @Override
    public int pendingFrames() {
        return pending;
    }

    @Override
    public boolean isComplete() {
        return pending >= framesPerBatch;
    }

    @Override
    public int flush(byte[] dst, int offset, int batchFlags) {
        if (pending == 0) {
            return 0;
        }
        dst[offset] = PAYLOAD_TYPE;
        dst[offset + ATTRIBUTES_OFFSET] = (byte) (batchFlags & BATCH_FEC);
        putInt(dst, offset + SEQUENCE_OFFSET, (int) first);
        dst[offset + COUNT_OFFSET] = (byte) pending;
        int at = offset + FRAMES_OFFSET;
        int from = 0;
        for (int i = 0; i < pending; i++) {
            dst[at] = (byte) (lengths[i] >>> 8);
            dst[at + 1] = (byte) lengths[i];
            at += LENGTH_BYTES;
            System.arraycopy(staging, from, dst, at, lengths[i]);
            at += lengths[i];
            from += lengths[i];
        }
        pending = 0;
        staged = 0;
        return at - offset;
    }

    @Override
    public int read(byte[] src, int offset, int length, FrameHandler handler) {
        if (length < FRAMES_OFFSET || src[offset] != PAYLOAD_TYPE) {
            return ERROR_MALFORMED;
        }
        int attributes = src[offset + ATTRIBUTES_OFFSET] & 0xFF;
        if ((attributes & ~BATCH_FEC) != 0) {
            return ERROR_VERSION;
        }
        int count = src[offset + COUNT_OFFSET] & 0xFF;
        if (count < 1 || count > MAX_FRAMES) {
            return ERROR_MALFORMED;
        }
        // Validate every length before handing out a frame.
        int end = offset + length;
        int at = offset + FRAMES_OFFSET;
        for (int i = 0; i < count; i++) {
            if (at + LENGTH_BYTES > end) {
                return ERROR_MALFORMED;
            }
            int frameLength = ((src[at] & 0xFF) << 8) | (src[at + 1] & 0xFF);
            if (frameLength > Codec.MAX_ENCODED_BYTES || at + LENGTH_BYTES + frameLength > end) {
                return ERROR_MALFORMED;
            }
            at += LENGTH_BYTES + frameLength;
        }
        if (at != end) {
            return ERROR_MALFORMED;
        }
        long sequence = getUnsignedInt(src, offset + SEQUENCE_OFFSET);
        handler.onBatch(sequence, count, attributes);
        at = offset + FRAMES_OFFSET;
        for (int i = 0; i < count; i++) {
            int frameLength = ((src[at] & 0xFF) << 8) | (src[at + 1] & 0xFF);
            handler.onFrame((sequence + i) & 0xFFFF_FFFFL, src, at + LENGTH_BYTES, frameLength);
            at += LENGTH_BYTES + frameLength;
        }
        return count;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static long getUnsignedInt(byte[] b, int at) {
        return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }
}
