package dev.viz.transport.secure.internal;

/**
 * The handshake datagrams of Noise {@code XX} (or {@code XXpsk3}), with offset constants. Integers
 * are big-endian. Outside the Noise messages travel only what routing needs (the type, the
 * receiver's session index) and, in the INIT, the pattern the initiator runs, so that a responder
 * with another configuration can say so. Everything else is inside the Noise payloads: a flipped
 * bit in a RESPONSE or FINAL fails authentication; one in an INIT makes it unreadable or changes
 * the handshake hash, so its RESPONSE fails at the initiator. The Noise prologue {@value #PROLOGUE}
 * binds the protocol version.
 *
 * <pre>
 * INIT (initiator to responder, 110 bytes in both modes: at least as long as the RESPONSE it asks
 * for, so a forged source address gains no amplification)
 *  +--------+--------+-----------------+-----------------------------------------------------+
 *  | type=1 |  mode  | e (32)          | payload: version u8 | flags u8 | caps u16 |          |
 *  |        |        |                 | sender index u32 | zeros; 76 bytes in clear (XX),   |
 *  |        |        |                 | or 60 bytes + tag 16 (XXpsk3: keyed by e alone)      |
 *  +--------+--------+-----------------+-----------------------------------------------------+
 *    0        1        2                 34                                                110
 *
 * RESPONSE (responder to initiator, 109 bytes)
 *  +--------+--------------------+--------+-------------------+--------------------------------+
 *  | type=2 | receiver index u32 | e (32) | s (32), tag (16)  | payload (8), tag (16):         |
 *  |        |                    |        |                   | version | flags | caps u16 |    |
 *  |        |                    |        |                   | sender index u32               |
 *  +--------+--------------------+--------+-------------------+--------------------------------+
 *    0        1                    5        37                  85                          109
 *
 * FINAL (initiator to responder, 73 bytes)
 *  +--------+--------------------+-------------------+-----------------------------------------+
 *  | type=3 | receiver index u32 | s (32), tag (16)  | payload (4), tag (16):                  |
 *  |        |                    |                   | version | flags | caps u16              |
 *  +--------+--------------------+-------------------+-----------------------------------------+
 *    0        1                    5                   53                                    73
 *
 * NOTICE (responder to initiator, 6 bytes, unauthenticated): "I run the other mode"
 *  +--------+--------------------+--------+
 *  | type=5 | receiver index u32 |  mode  |
 *  +--------+--------------------+--------+
 * </pre>
 *
 * {@code mode}: 0 {@code XX}, 1 {@code XXpsk3}. A responder answers an INIT of the other mode with
 * a NOTICE (rate-limited like any answer) so both users learn that one side has a shared secret and
 * the other has not; an initiator believes a NOTICE only for its current attempt and only when it
 * names the other mode (it can fail a handshake, which anyone on the path could do anyway by
 * dropping datagrams). {@code version} is 1; another version fails the handshake; unknown
 * {@code flags} and {@code caps} bits are ignored.
 */
public final class HandshakeHeader {
    public static final String PROLOGUE = "viz secure v1";
    public static final int PROTOCOL_VERSION = 1;

    public static final byte TYPE_INIT = 1;
    public static final byte TYPE_RESPONSE = 2;
    public static final byte TYPE_FINAL = 3;
    public static final byte TYPE_NOTICE = 5;
    public static final byte MODE_XX = 0;
    public static final byte MODE_XX_PSK3 = 1;

    public static final int TYPE_OFFSET = 0;
    public static final int DH_LENGTH = 32;
    public static final int TAG_LENGTH = 16;

    /** Common to every payload: version, flags, capabilities. */
    public static final int PAYLOAD_BASE_LENGTH = 4;

    public static final int INIT_MODE_OFFSET = 1;
    public static final int INIT_NOISE_OFFSET = 2;
    public static final int INIT_LENGTH = 110;
    /** Within the INIT payload. */
    public static final int INIT_PAYLOAD_SENDER_OFFSET = 4;
    public static final int INIT_PAYLOAD_USED = 8;

    public static final int NOTICE_RECEIVER_OFFSET = 1;
    public static final int NOTICE_MODE_OFFSET = 5;
    public static final int NOTICE_LENGTH = 6;

    public static final int RESPONSE_RECEIVER_OFFSET = 1;
    public static final int RESPONSE_NOISE_OFFSET = 5;
    public static final int RESPONSE_PAYLOAD_LENGTH = 8;
    /** Within the RESPONSE payload. */
    public static final int RESPONSE_PAYLOAD_SENDER_OFFSET = 4;
    public static final int RESPONSE_LENGTH = RESPONSE_NOISE_OFFSET + DH_LENGTH + DH_LENGTH + TAG_LENGTH
            + RESPONSE_PAYLOAD_LENGTH + TAG_LENGTH;

    public static final int FINAL_RECEIVER_OFFSET = 1;
    public static final int FINAL_NOISE_OFFSET = 5;
    public static final int FINAL_PAYLOAD_LENGTH = PAYLOAD_BASE_LENGTH;
    public static final int FINAL_LENGTH = FINAL_NOISE_OFFSET + DH_LENGTH + TAG_LENGTH + FINAL_PAYLOAD_LENGTH
            + TAG_LENGTH;

    private HandshakeHeader() {
    }

    /** A payload of {@code length} bytes that starts with this version's base (version 1, no flags). */
    public static byte[] payload(int length) {
        byte[] payload = new byte[length];
        payload[0] = PROTOCOL_VERSION;
        return payload;
    }

    /** INIT payload length: the rest of the 110 bytes, less the tag the psk mode adds. */
    public static int initPayloadLength(byte mode) {
        return INIT_LENGTH - INIT_NOISE_OFFSET - DH_LENGTH - (mode == MODE_XX_PSK3 ? TAG_LENGTH : 0);
    }

    /** The INIT payload: base and the initiator's session index, then zeros. */
    public static byte[] initPayload(byte mode, int senderIndex) {
        byte[] payload = payload(initPayloadLength(mode));
        putInt(payload, INIT_PAYLOAD_SENDER_OFFSET, senderIndex);
        return payload;
    }

    /** The RESPONSE payload: base and the responder's session index. */
    public static byte[] responsePayload(int senderIndex) {
        byte[] payload = payload(RESPONSE_PAYLOAD_LENGTH);
        putInt(payload, RESPONSE_PAYLOAD_SENDER_OFFSET, senderIndex);
        return payload;
    }

    /** Whether a payload has the expected length, this version, and zeros where zeros belong. */
    public static boolean isValid(byte[] payload, int expectedLength, int usedLength) {
        if (payload == null || payload.length != expectedLength || payload[0] != PROTOCOL_VERSION) {
            return false;
        }
        for (int i = usedLength; i < payload.length; i++) {
            if (payload[i] != 0) {
                return false;
            }
        }
        return true;
    }

    public static int getInt(byte[] buffer, int offset) {
        return (buffer[offset] & 0xFF) << 24 | (buffer[offset + 1] & 0xFF) << 16 | (buffer[offset + 2] & 0xFF) << 8
                | buffer[offset + 3] & 0xFF;
    }

    public static void putInt(byte[] buffer, int offset, int value) {
        buffer[offset] = (byte) (value >>> 24);
        buffer[offset + 1] = (byte) (value >>> 16);
        buffer[offset + 2] = (byte) (value >>> 8);
        buffer[offset + 3] = (byte) value;
    }
}
