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
 * </pre>
 *
 * Frame {@code i} has sequence number {@code first + i} (modulo 2<sup>32</sup>). A frame of length 0
 * is a frame the encoder chose not to send (discontinuous transmission during silence).
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
    /** Flags this version understands; a batch with any other is refused. */
    public static final int KNOWN_FLAGS = FLAG_UNIFORM;

    /** Bytes for one frame length in the area. */
    public static final int LENGTH_BYTES = 2;

    private AudioBatch() {
    }
}
