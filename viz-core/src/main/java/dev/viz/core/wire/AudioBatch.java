package dev.viz.core.wire;

/**
 * Offsets and flags of an audio batch payload.
 *
 * <pre>
 *   0               1               2               3
 *   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 *  +-------+-------+---------------+---------------+---------------+
 *  |ver=1|kind=1   |    flags      |  frame count  |   frame ms    |
 *  +-------+-------+---------------+---------------+---------------+
 *  |                  first sequence number (u32)                  |
 *  +---------------------------------------------------------------+
 *  |        frames area, as written by the Compressor ...          |
 *  +---------------------------------------------------------------+
 *
 *  frames area once decompressed:
 *    flags &amp; UNIFORM:  | length (u16) | frame 0 | frame 1 | ... |       every frame that long
 *    otherwise:         | length 0 (u16) | ... | length n-1 | frame 0 | ... | frame n-1 |
 *  then, when flags &amp; REDUNDANT:
 *                       | copies r (u8) | length 0 (u16) | ... | length r-1 | copy 0 | ... | copy r-1 |
 * </pre>
 *
 * Frame {@code i} has sequence number {@code first + i} (modulo 2<sup>32</sup>). A frame of length 0
 * is a frame the encoder chose not to send (discontinuous transmission during silence): the
 * receiver plays comfort noise for it and does not count it as lost.
 *
 * <p>Copy {@code j} of the redundancy block is a second, low-bitrate encoding of frame
 * {@code first - r + j}: the {@code r} frames just before this batch, which a lost earlier datagram
 * carried. A copy of length 0 stands for a frame that was itself empty (silence).
 *
 * <p>{@link #FLAG_FEC} says the frames were encoded with in-band forward error correction, so a
 * frame can rebuild the one before it.
 */
public final class AudioBatch {
    public static final int FLAGS_OFFSET = 1;
    public static final int COUNT_OFFSET = 2;
    public static final int FRAME_MS_OFFSET = 3;
    public static final int FIRST_SEQUENCE_OFFSET = 4;
    public static final int AREA_OFFSET = 8;
    public static final int HEADER_LENGTH = AREA_OFFSET;

    /** Every frame in the batch has the same length, written once. */
    public static final int FLAG_UNIFORM = 0x01;
    /** The frames area ends with a redundancy block: copies of the frames before this batch. */
    public static final int FLAG_REDUNDANT = 0x02;
    /** The frames carry in-band forward error correction for the frame before each. */
    public static final int FLAG_FEC = 0x04;
    /** Flags this version understands; a batch with any other is refused. */
    public static final int KNOWN_FLAGS = FLAG_UNIFORM | FLAG_REDUNDANT | FLAG_FEC;

    /** Bytes for one frame length in the area. */
    public static final int LENGTH_BYTES = 2;
    /** Bytes for the copy count that opens a redundancy block. */
    public static final int COPY_COUNT_BYTES = 1;
    /** The most copies one redundancy block carries (two batches of the largest size). */
    public static final int MAX_COPIES = 64;

    private AudioBatch() {
    }
}
