package dev.viz.core.wire;

/**
 * Offsets of a receiver report: what one peer tells the other about the audio it receives (loss,
 * jitter) and the timestamps that give both the round-trip time. Sent about once a second; when an
 * audio batch is ready to go at the same time and both fit, the batch rides in the same payload
 * after the report ({@link #FLAG_BATCH_FOLLOWS}), so reports add no datagrams.
 *
 * <pre>
 *   0               1               2               3
 *   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 *  +-------+-------+---------------+-------------------------------+
 *  |ver=1|kind=4   |    flags      |         reserved (0)          |
 *  +-------+-------+---------------+-------------------------------+
 *  |          timestamp (u32): the sender's clock, microseconds     |
 *  +---------------------------------------------------------------+
 *  |   echoed timestamp (u32): the last one received from the peer  |
 *  +---------------------------------------------------------------+
 *  |   echo delay (u32): microseconds between receiving it and now  |
 *  +---------------------------------------------------------------+
 *  |   loss (u32): parts per million of frames lost, last 10 s      |
 *  +---------------------------------------------------------------+
 *  |   frames lost (u32): since the call began                      |
 *  +---------------------------------------------------------------+
 *  |   highest sequence number received (u32)                       |
 *  +---------------------------------------------------------------+
 *  |   jitter (u32): interarrival jitter of batches, microseconds   |
 *  +---------------------------------------------------------------+
 *  |   an audio batch payload, when flags &amp; BATCH_FOLLOWS ...      |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Round-trip time: a peer that receives a report whose echoed timestamp is one it sent computes
 * {@code now - echoed - echoDelay} on its own clock; the two clocks never need to agree. An echoed
 * timestamp of 0 means there is nothing to echo yet. A loss of {@link #LOSS_UNKNOWN} means no audio
 * was expected in the window (the peer sends nothing), so the figure says nothing.
 */
public final class ReceiverReport {
    public static final int FLAGS_OFFSET = 1;
    public static final int TIMESTAMP_OFFSET = 4;
    public static final int ECHO_TIMESTAMP_OFFSET = 8;
    public static final int ECHO_DELAY_OFFSET = 12;
    public static final int LOSS_OFFSET = 16;
    public static final int FRAMES_LOST_OFFSET = 20;
    public static final int HIGHEST_SEQUENCE_OFFSET = 24;
    public static final int JITTER_OFFSET = 28;
    /** Length of a report; an audio batch may follow it. */
    public static final int LENGTH = 32;

    /** An audio batch payload (starting with its own header byte) follows the report. */
    public static final int FLAG_BATCH_FOLLOWS = 0x01;
    /** Flags this version understands; a report with any other is refused. */
    public static final int KNOWN_FLAGS = FLAG_BATCH_FOLLOWS;

    /** The loss field when nothing was expected. */
    public static final long LOSS_UNKNOWN = 0xFFFF_FFFFL;
    /** The largest loss: all of it. */
    public static final long LOSS_ALL = 1_000_000L;

    private ReceiverReport() {
    }

    /**
     * Writes a report at {@code offset} of {@code dst}; {@code dst} must have {@link #LENGTH} bytes
     * from there.
     */
    public static void write(byte[] dst, int offset, boolean batchFollows, long timestampUs, long echoTimestampUs,
            long echoDelayUs, long lossPpm, long framesLost, long highestSequence, long jitterUs) {
        dst[offset] = PayloadHeader.encode(PayloadHeader.KIND_REPORT);
        dst[offset + FLAGS_OFFSET] = (byte) (batchFollows ? FLAG_BATCH_FOLLOWS : 0);
        dst[offset + 2] = 0;
        dst[offset + 3] = 0;
        PayloadHeader.putInt(dst, offset + TIMESTAMP_OFFSET, (int) timestampUs);
        PayloadHeader.putInt(dst, offset + ECHO_TIMESTAMP_OFFSET, (int) echoTimestampUs);
        PayloadHeader.putInt(dst, offset + ECHO_DELAY_OFFSET, (int) Math.min(echoDelayUs, 0xFFFF_FFFFL));
        PayloadHeader.putInt(dst, offset + LOSS_OFFSET, (int) lossPpm);
        PayloadHeader.putInt(dst, offset + FRAMES_LOST_OFFSET, (int) Math.min(framesLost, 0xFFFF_FFFFL));
        PayloadHeader.putInt(dst, offset + HIGHEST_SEQUENCE_OFFSET, (int) highestSequence);
        PayloadHeader.putInt(dst, offset + JITTER_OFFSET, (int) Math.min(jitterUs, 0xFFFF_FFFFL));
    }

    /**
     * Whether {@code length} bytes at {@code offset} hold a well-formed report of this version
     * (and, when it says so, room for a batch after it).
     */
    public static boolean isValid(byte[] src, int offset, int length) {
        if (length < LENGTH || PayloadHeader.version(src[offset]) != PayloadHeader.VERSION
                || PayloadHeader.kind(src[offset]) != PayloadHeader.KIND_REPORT) {
            return false;
        }
        int flags = src[offset + FLAGS_OFFSET] & 0xFF;
        if ((flags & ~KNOWN_FLAGS) != 0 || src[offset + 2] != 0 || src[offset + 3] != 0) {
            return false;
        }
        long loss = PayloadHeader.getUnsignedInt(src, offset + LOSS_OFFSET);
        if (loss > LOSS_ALL && loss != LOSS_UNKNOWN) {
            return false;
        }
        return (flags & FLAG_BATCH_FOLLOWS) != 0 ? length > LENGTH : length == LENGTH;
    }

    public static boolean batchFollows(byte[] src, int offset) {
        return (src[offset + FLAGS_OFFSET] & FLAG_BATCH_FOLLOWS) != 0;
    }

    public static long timestampUs(byte[] src, int offset) {
        return PayloadHeader.getUnsignedInt(src, offset + TIMESTAMP_OFFSET);
    }

    public static long echoTimestampUs(byte[] src, int offset) {
        return PayloadHeader.getUnsignedInt(src, offset + ECHO_TIMESTAMP_OFFSET);
    }

    public static long echoDelayUs(byte[] src, int offset) {
        return PayloadHeader.getUnsignedInt(src, offset + ECHO_DELAY_OFFSET);
    }

    public static long lossPpm(byte[] src, int offset) {
        return PayloadHeader.getUnsignedInt(src, offset + LOSS_OFFSET);
    }

    public static long framesLost(byte[] src, int offset) {
        return PayloadHeader.getUnsignedInt(src, offset + FRAMES_LOST_OFFSET);
    }

    public static long highestSequence(byte[] src, int offset) {
        return PayloadHeader.getUnsignedInt(src, offset + HIGHEST_SEQUENCE_OFFSET);
    }

    public static long jitterUs(byte[] src, int offset) {
        return PayloadHeader.getUnsignedInt(src, offset + JITTER_OFFSET);
    }
}
