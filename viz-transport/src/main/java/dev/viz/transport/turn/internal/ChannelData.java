package dev.viz.transport.turn.internal;

/**
 * A TURN ChannelData message (RFC 8656 section 12.4): the audio's frame between client and relay,
 * four bytes of overhead instead of a Send or Data indication's 36 or more.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Channel Number        |            Length             |  CHANNEL_OFFSET, LENGTH_OFFSET
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * /                       Application Data                        /  DATA_OFFSET; over TCP/TLS padded to 4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Channel numbers are 0x4000 to 0x4FFF, so the first two bits are 01, which tells ChannelData from
 * a STUN message (00) on the same socket.
 */
public final class ChannelData {
    public static final int CHANNEL_OFFSET = 0;
    public static final int LENGTH_OFFSET = 2;
    public static final int DATA_OFFSET = 4;
    public static final int HEADER_BYTES = 4;
    public static final int FIRST_CHANNEL = 0x4000;
    public static final int LAST_CHANNEL = 0x4FFF;

    private ChannelData() {
    }

    /** Whether {@code b[off]} starts a ChannelData message (first two bits 01). */
    public static boolean isChannelData(byte[] b, int off, int length) {
        return length >= HEADER_BYTES && (b[off] & 0xC0) == 0x40;
    }

    public static int channel(byte[] b, int off) {
        return StunMessage.readShort(b, off + CHANNEL_OFFSET);
    }

    /** The application data length the header claims (check it against what arrived). */
    public static int dataLength(byte[] b, int off) {
        return StunMessage.readShort(b, off + LENGTH_OFFSET);
    }

    /**
     * Writes the header before data already at {@code b[off + DATA_OFFSET ..]}, and zero padding when
     * {@code padded} (stream carriers).
     *
     * @return the message's length on the wire
     */
    public static int putHeader(byte[] b, int off, int channel, int dataLength, boolean padded) {
        StunMessage.writeShort(b, off + CHANNEL_OFFSET, channel);
        StunMessage.writeShort(b, off + LENGTH_OFFSET, dataLength);
        int total = HEADER_BYTES + dataLength;
        if (padded) {
            int end = off + HEADER_BYTES + StunMessage.pad4(dataLength);
            for (int i = off + total; i < end; i++) {
                b[i] = 0;
            }
            total = end - off;
        }
        return total;
    }
}
