package dev.viz.transport.secure.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The header of a data datagram, read and written in place (a flyweight over a {@code byte[]} with
 * offset constants). The whole header is the AEAD's associated data.
 *
 * <pre>
 *   0               1               2               3
 *   0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 *  +---------------+-----------------------------------------------+
 *  |   type = 4    |        receiver's session index (u32) ...     |
 *  +---------------+---------------+-------------------------------+
 *  |  ... index    |   counter, low 32 bits (big-endian) ...       |
 *  +---------------+---------------+-------------------------------+
 *  |  ... counter  |  ciphertext of (payload | 0x80 | 0x00 ...) ...
 *  +---------------+-----------------------------------------------+
 *  |                   Poly1305 tag (16 bytes)                     |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The counter is 64 bits and is the nonce: 4 zero bytes, then the counter little-endian, as
 * Noise's ChaChaPoly. Only its low 32 bits travel; the receiver takes the 64-bit value nearest to
 * the highest counter it has authenticated ({@link #reconstruct}, as QUIC does with packet
 * numbers). A wrong guess cannot be accepted: the nonce would differ and authentication fail. It
 * could only go wrong after 2^31 datagrams lost in a row (more than 20 years of audio), and saves
 * 4 bytes in every datagram.
 *
 * <p>The plaintext is the session payload, one {@code 0x80} byte, then zeros up to the padding
 * bucket (ISO/IEC 7816-4 padding): the receiver strips the zeros and the marker. A data datagram
 * with an empty payload confirms a finished handshake and is consumed by the secure layer.
 */
public final class DataHeader {
    public static final byte TYPE = 4;
    public static final int TYPE_OFFSET = 0;
    public static final int RECEIVER_INDEX_OFFSET = 1;
    public static final int COUNTER_OFFSET = 5;
    public static final int LENGTH = 9;
    /** Header, padding marker and tag: the least a data datagram adds to a payload. */
    public static final int OVERHEAD = LENGTH + 1 + Sodium.AEAD_TAG_BYTES;
    /** The shortest valid data datagram: header, marker and tag. */
    public static final int MIN_DATAGRAM = OVERHEAD;
    public static final byte PADDING_MARKER = (byte) 0x80;

    /** The header's two 32-bit fields, big-endian, read and written through the JDK's byte-array view. */
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private DataHeader() {
    }

    public static int receiverIndex(byte[] buffer, int offset) {
        return (int) INT.get(buffer, offset + RECEIVER_INDEX_OFFSET);
    }

    /** The low 32 bits of the counter, as sent. */
    public static int wireCounter(byte[] buffer, int offset) {
        return (int) INT.get(buffer, offset + COUNTER_OFFSET);
    }

    public static void put(byte[] buffer, int offset, int receiverIndex, long counter) {
        buffer[offset + TYPE_OFFSET] = TYPE;
        INT.set(buffer, offset + RECEIVER_INDEX_OFFSET, receiverIndex);
        INT.set(buffer, offset + COUNTER_OFFSET, (int) counter);
    }

    /**
     * The 64-bit counter whose low 32 bits are {@code wire} and which is nearest to the one after
     * {@code highest} (the highest counter authenticated so far, -1 for none).
     */
    public static long reconstruct(long highest, int wire) {
        long expected = highest + 1;
        long window = 1L << 32;
        long candidate = (expected & ~(window - 1)) | (wire & 0xFFFF_FFFFL);
        if (candidate <= expected - window / 2 && candidate < Long.MAX_VALUE - window) {
            return candidate + window;
        }
        if (candidate > expected + window / 2 && candidate >= window) {
            return candidate - window;
        }
        return candidate;
    }
}
