package dev.viz.core;

/**
 * Encoded, sequence-numbered frames to one datagram payload and back: the audio batch wire format.
 *
 * <p>The network thread alone calls an instance, for both directions. The sending side appends
 * consecutive frames and {@linkplain #flush flushes} when the batch is complete or the next frame
 * would not fit; a batch never exceeds the payload limit given to {@link #open}. The receiving side
 * {@linkplain #read reads} a payload and hands each frame to a {@link FrameHandler} as a slice of the
 * batcher's own buffer, with no copy and no allocation. Malformed input yields a negative status,
 * never an exception, and never an allocation sized by a length read from the wire.
 *
 * <p>The batcher owns its wire format: the session never reads or patches a batch. It only routes
 * payloads by their first byte, which belongs to the session's envelope: {@link #flush} writes
 * {@link #PAYLOAD_TYPE} there and {@link #read} is handed only payloads that start with it; every
 * byte after it is the batcher's. What the session needs to know about a batch it learns through
 * {@link FrameHandler#onBatch}, and what it needs for sizing through {@link #overheadBytes}.
 *
 * <p>The default implementation is {@link dev.viz.core.batch.FrameBatcher}; its format is in
 * {@code docs/protocol.md}.
 */
public interface Batcher {

    /**
     * The first byte of every payload {@link #flush} writes (protocol version 1, kind "audio batch"),
     * by which the session tells batches from its own control payloads (keepalive, bye, report).
     */
    byte PAYLOAD_TYPE = 0x11;

    /** Batch attribute ({@link #flush(byte[], int, int)}, {@link FrameHandler#onBatch}): the frames carry in-band FEC. */
    int BATCH_FEC = 0x01;

    /** {@link #append}: the frame was added. */
    int APPENDED = 0;

    /**
     * {@link #append}: the frame was not added because it would not fit, or does not follow the
     * previous frame; {@link #flush} the batch and append it again.
     */
    int FLUSH_FIRST = 1;

    /** {@link #read} status: the payload is truncated, lies about a length, or is garbage. */
    int ERROR_MALFORMED = -1;

    /** {@link #read} status: the payload is of a version this batcher does not speak. */
    int ERROR_VERSION = -2;

    /** {@link #read} status: the frames area failed to decompress or decompressed too large. */
    int ERROR_COMPRESSION = -3;

    /** Receives the frames of a batch being read; the slice is valid only during the call. */
    @FunctionalInterface
    interface FrameHandler {
        /**
         * Called once per valid batch, before any of its frames or copies: the batch holds
         * {@code frames} consecutive frames from {@code firstSequence} (modulo 2<sup>32</sup>) with the
         * given attributes ({@link #BATCH_FEC}). The default ignores it.
         */
        default void onBatch(long firstSequence, int frames, int batchFlags) {
        }

        void onFrame(long sequence, byte[] buffer, int offset, int length);

        /**
         * A redundant copy of frame {@code sequence}, carried after the frames for a receiver that lost
         * the datagram with the frame itself; called before the {@link #onFrame} calls of the batch, oldest
         * copy first. A copy of length 0 stands for an empty (silent) frame. The default ignores copies.
         */
        default void onRedundantFrame(long sequence, byte[] buffer, int offset, int length) {
        }
    }

    /**
     * Prepares the batcher. Called once before any other method.
     *
     * @param framesPerBatch the most frames a batch holds (8 by default)
     * @param maxPayloadBytes the largest payload {@link #flush} may write
     */
    void open(AudioFormat format, int framesPerBatch, int maxPayloadBytes, Compressor compressor);

    /** The most frames one batch of this format can hold: the upper bound of {@code framesPerBatch}. */
    int maxFramesPerBatch();

    /** The most redundant copies one batch can carry; 0 (the default) for a format without copies. */
    default int maxCopies() {
        return 0;
    }

    /**
     * The bytes a batch of {@code frames} frames and {@code copies} redundant copies takes beyond the
     * frames' and copies' own bytes and beyond the compressor's overhead: headers and lengths. Callable
     * before {@link #open}; the session sizes its payloads with it (the smallest payload for one frame
     * of the largest size is {@code overheadBytes(1, 0) + Codec.MAX_ENCODED_BYTES +
     * compressor.maxOverheadBytes()}).
     */
    int overheadBytes(int frames, int copies);

    /**
     * Adds frame {@code sequence} (whose bytes are copied) to the pending batch.
     *
     * @return {@link #APPENDED} or {@link #FLUSH_FIRST}
     * @throws IllegalArgumentException if a single frame could never fit in a payload
     */
    int append(long sequence, byte[] frame, int offset, int length);

    /**
     * Adds a redundant copy (typically a low-bitrate encoding) of an earlier frame to the pending
     * batch, for a receiver that lost the datagram that carried the frame. Call after the batch's
     * frames are appended and before {@link #flush}. Copies go newest first: the first is of the
     * frame just before the batch's first frame, each next one of the frame before the previous copy.
     * Copies never push the batch over the payload limit.
     *
     * @return {@link #APPENDED}, or {@link #FLUSH_FIRST} when the copy would not fit or does not
     *     follow: add no more copies and flush. The default carries no copies.
     */
    default int appendRedundant(long sequence, byte[] copy, int offset, int length) {
        return FLUSH_FIRST;
    }

    /** Frames in the pending batch. */
    int pendingFrames();

    /** Whether the pending batch holds {@code framesPerBatch} frames and should be flushed now. */
    boolean isComplete();

    /**
     * Writes the pending batch as one payload into {@code dst[offset ..]} with no attributes and starts
     * a new batch.
     *
     * @return bytes written (at most {@code maxPayloadBytes}), or 0 when nothing was pending
     */
    default int flush(byte[] dst, int offset) {
        return flush(dst, offset, 0);
    }

    /**
     * Writes the pending batch as one payload into {@code dst[offset ..]}, marked with
     * {@code batchFlags} ({@link #BATCH_FEC}) for the receiver's {@link FrameHandler#onBatch}, and
     * starts a new batch.
     *
     * @return bytes written (at most {@code maxPayloadBytes}), or 0 when nothing was pending
     */
    int flush(byte[] dst, int offset, int batchFlags);

    /**
     * Reads one payload written by {@link #flush} (possibly by a batcher in another process).
     *
     * @return the number of frames handed to {@code handler}, or a negative status
     */
    int read(byte[] src, int offset, int length, FrameHandler handler);
}
