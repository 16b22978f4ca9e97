package dev.viz.transport.secure.internal;

import java.nio.charset.StandardCharsets;

/**
 * The short code both users read to each other: six digits derived from the Noise handshake hash.
 * Both ends of one handshake compute the same hash; a man in the middle runs two handshakes with
 * two different hashes, so the two users see different codes.
 *
 * <p>Six digits are only 20 bits, and a man in the middle chooses the last message of one of its
 * two handshakes, so it could try many messages until that side's code matches the other's. The
 * code is therefore derived with Argon2id ({@value #OPS_LIMIT} pass over {@value #MEMORY_MIB} MiB,
 * about 10 ms here): a million tries cost about 10,000 core-seconds, and a handshake must finish
 * within seconds (see docs/security.md). Honest ends pay it once per handshake.
 */
public final class VerificationCode {
    public static final long OPS_LIMIT = 1;
    public static final int MEMORY_MIB = 16;
    private static final byte[] SALT = Sodium.blake2b("viz secure v1 verification code salt"
            .getBytes(StandardCharsets.US_ASCII), Sodium.PWHASH_SALT_BYTES);

    private VerificationCode() {
    }

    /** The code of a handshake hash, as {@code "123 456"}. */
    public static String of(byte[] handshakeHash) {
        byte[] stretched = Sodium.argon2id(handshakeHash, SALT, 16, OPS_LIMIT, (long) MEMORY_MIB << 20);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = value << 8 | (stretched[i] & 0xFF);
        }
        // 2^64 is not a multiple of 10^6: the bias is below 10^-13, far under what a human notices.
        int code = (int) Long.remainderUnsigned(value, 1_000_000L);
        String digits = String.format("%06d", code);
        return digits.substring(0, 3) + " " + digits.substring(3);
    }
}
