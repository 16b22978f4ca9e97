package dev.viz.transport.secure.internal;

/**
 * The header of a data datagram, read and written in place (a flyweight over a {@code byte[]} with
 * offset constants). The whole header is the AEAD's associated data; the counter is the nonce.
 *
 * <pre>
 *   0               1               2               3
 *   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 *  +---------------+-----------------------------------------------+
 *  |   type = 4    |        receiver's session index (u32) ...     |
 *  +---------------+---------------+-------------------------------+
 *  |  ... index    |        counter (u64, big-endian) ...          |
 *  +---------------+                                               +
 *  |                                                               |
 *  +---------------+-----------------------------------------------+
 *  |  ... counter  |  ciphertext of (payload | 0x80 | 0x00 ...) ...
 *  +---------------+-----------------------------------------------+
 *  |                   Poly1305 tag (16 bytes)                     |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The plaintext is the session payload, one {@code 0x80} byte, then zeros up to the padding
 * bucket (ISO/IEC 7816-4 padding): the receiver strips the zeros and the marker. A data datagram
 * with an empty payload confirms a finished handshake and is consumed by the secure layer.
 * Nonce (12 bytes): 4 zero bytes, then the counter little-endian, as Noise's ChaChaPoly.
 */
public final class DataHeader {
    public static final byte TYPE = 4;
    public static final int TYPE_OFFSET = 0;
    public static final int RECEIVER_INDEX_OFFSET = 1;
    public static final int COUNTER_OFFSET = 5;
    public static final int LENGTH = 13;
    /** Header, padding marker and tag: the least a data datagram adds to a payload. */
    public static final int OVERHEAD = LENGTH + 1 + Sodium.AEAD_TAG_BYTES;
    /** The shortest valid data datagram: header, marker and tag. */
    public static final int MIN_DATAGRAM = OVERHEAD;
    public static final byte PADDING_MARKER = (byte) 0x80;

    private DataHeader() {
    }

    public static int receiverIndex(byte[] buffer, int offset) {
        return HandshakeHeader.getInt(buffer, offset + RECEIVER_INDEX_OFFSET);
    }

    public static long counter(byte[] buffer, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (buffer[offset + COUNTER_OFFSET + i] & 0xFFL);
        }
        return value;
    }

    public static void put(byte[] buffer, int offset, int receiverIndex, long counter) {
        buffer[offset + TYPE_OFFSET] = TYPE;
        HandshakeHeader.putInt(buffer, offset + RECEIVER_INDEX_OFFSET, receiverIndex);
        for (int i = 0; i < 8; i++) {
            buffer[offset + COUNTER_OFFSET + i] = (byte) (counter >>> (56 - 8 * i));
        }
    }
}
