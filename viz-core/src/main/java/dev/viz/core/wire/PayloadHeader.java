package dev.viz.core.wire;

/**
 * The first byte of every payload a session hands to its transport: the protocol version and the
 * kind of payload.
 *
 * <pre>
 *   0 1 2 3 4 5 6 7
 *  +-+-+-+-+-+-+-+-+
 *  |version| kind  |   version 1; kind: 1 audio batch, 2 keepalive, 3 bye, 4 receiver report
 *  +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * A keepalive is this byte alone. A bye adds the last sequence number sent (4 bytes) so the peer
 * knows when it has played everything. The audio batch is in {@link AudioBatch}, the receiver
 * report (which may carry an audio batch after it) in {@link ReceiverReport}.
 */
public final class PayloadHeader {
    public static final int VERSION = 1;

    public static final int KIND_AUDIO = 1;
    public static final int KIND_KEEPALIVE = 2;
    public static final int KIND_BYE = 3;
    public static final int KIND_REPORT = 4;

    public static final int LENGTH = 1;

    /** Length of a bye: the header and the last sequence number sent. */
    public static final int BYE_LENGTH = LENGTH + 4;
    /** The sequence number a bye carries when no frame was ever sent. */
    public static final long NO_SEQUENCE = 0xFFFF_FFFFL;

    private PayloadHeader() {
    }

    public static byte encode(int kind) {
        return (byte) ((VERSION << 4) | kind);
    }

    public static int version(byte header) {
        return (header >> 4) & 0x0F;
    }

    public static int kind(byte header) {
        return header & 0x0F;
    }

    public static void putInt(byte[] buffer, int offset, int value) {
        buffer[offset] = (byte) (value >>> 24);
        buffer[offset + 1] = (byte) (value >>> 16);
        buffer[offset + 2] = (byte) (value >>> 8);
        buffer[offset + 3] = (byte) value;
    }

    public static long getUnsignedInt(byte[] buffer, int offset) {
        return ((buffer[offset] & 0xFFL) << 24) | ((buffer[offset + 1] & 0xFFL) << 16)
                | ((buffer[offset + 2] & 0xFFL) << 8) | (buffer[offset + 3] & 0xFFL);
    }

    public static void putShort(byte[] buffer, int offset, int value) {
        buffer[offset] = (byte) (value >>> 8);
        buffer[offset + 1] = (byte) value;
    }

    public static int getUnsignedShort(byte[] buffer, int offset) {
        return ((buffer[offset] & 0xFF) << 8) | (buffer[offset + 1] & 0xFF);
    }
}
