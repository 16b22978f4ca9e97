package dev.viz.transport.secure.internal;

/**
 * The three handshake datagrams of Noise {@code XX} (or {@code XXpsk3}), with offset constants.
 * Integers are big-endian. {@code mode} says which pattern the sender runs (0 {@code XX},
 * 1 {@code XXpsk3}): it only lets a receiver explain a mismatch; the pattern each side runs is its
 * own configuration, and the Noise prologue ({@value #PROLOGUE}) binds the protocol version.
 *
 * <pre>
 * INIT (initiator to responder, 110 bytes: never smaller than the RESPONSE it asks for)
 *  +--------+--------+------------------+-------------------+-------------------------------+
 *  | type=1 |  mode  | sender index u32 | e (32)            | payload (72, in clear):       |
 *  |        |        |                  |                   | version, flags, caps, zeros   |
 *  +--------+--------+------------------+-------------------+-------------------------------+
 *    0        1        2                  6                   38                        110
 *
 * RESPONSE (responder to initiator, 110 bytes)
 *  +--------+--------+------------------+--------------------+--------+----------+-----------+
 *  | type=2 |  mode  | sender index u32 | receiver index u32 | e (32) | s (32+16)| payload   |
 *  |        |        |                  |                    |        |encrypted | (4+16)    |
 *  +--------+--------+------------------+--------------------+--------+----------+-----------+
 *    0        1        2                  6                    10       42         90     110
 *
 * FINAL (initiator to responder, 74 bytes)
 *  +--------+--------+--------------------+-----------------------+-------------------------+
 *  | type=3 |  mode  | receiver index u32 | s (32+16) encrypted   | payload (4+16)          |
 *  +--------+--------+--------------------+-----------------------+-------------------------+
 *    0        1        2                    6                       54                    74
 * </pre>
 *
 * Handshake payload: {@code version u8 (1) | flags u8 | capabilities u16}; unknown flags and
 * capabilities are ignored, another version fails the handshake. The INIT's payload is padded with
 * zeros so the INIT is as long as the RESPONSE: a forged source address gains no amplification.
 */
public final class HandshakeHeader {
    public static final String PROLOGUE = "viz secure v1";
    public static final int PROTOCOL_VERSION = 1;

    public static final byte TYPE_INIT = 1;
    public static final byte TYPE_RESPONSE = 2;
    public static final byte TYPE_FINAL = 3;
    public static final byte MODE_XX = 0;
    public static final byte MODE_XX_PSK3 = 1;

    public static final int TYPE_OFFSET = 0;
    public static final int MODE_OFFSET = 1;

    public static final int INIT_SENDER_OFFSET = 2;
    public static final int INIT_NOISE_OFFSET = 6;
    public static final int INIT_PAYLOAD_LENGTH = 72;
    public static final int INIT_LENGTH = INIT_NOISE_OFFSET + 32 + INIT_PAYLOAD_LENGTH;

    public static final int RESPONSE_SENDER_OFFSET = 2;
    public static final int RESPONSE_RECEIVER_OFFSET = 6;
    public static final int RESPONSE_NOISE_OFFSET = 10;
    public static final int PAYLOAD_LENGTH = 4;
    public static final int RESPONSE_LENGTH = RESPONSE_NOISE_OFFSET + 32 + 48 + PAYLOAD_LENGTH + 16;

    public static final int FINAL_RECEIVER_OFFSET = 2;
    public static final int FINAL_NOISE_OFFSET = 6;
    public static final int FINAL_LENGTH = FINAL_NOISE_OFFSET + 48 + PAYLOAD_LENGTH + 16;

    private HandshakeHeader() {
    }

    /** The handshake payload this version sends (the INIT's is padded to {@link #INIT_PAYLOAD_LENGTH}). */
    public static byte[] payload(int length) {
        byte[] payload = new byte[length];
        payload[0] = PROTOCOL_VERSION;
        return payload;
    }

    /** Whether a received handshake payload is one this version speaks (INIT padding must be zeros). */
    public static boolean isCompatible(byte[] payload) {
        if (payload.length < PAYLOAD_LENGTH || payload[0] != PROTOCOL_VERSION) {
            return false;
        }
        for (int i = PAYLOAD_LENGTH; i < payload.length; i++) {
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
