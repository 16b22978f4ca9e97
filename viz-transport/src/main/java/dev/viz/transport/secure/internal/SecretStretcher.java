package dev.viz.transport.secure.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * Turns a shared secret that people type (a passphrase) into the 32-byte Noise PSK with Argon2id
 * (libsodium {@code crypto_pwhash}, version 1.3) at libsodium's "moderate" limits: {@value #OPS_LIMIT}
 * passes over {@value #MEMORY_MIB} MiB, about 0.5 to 0.7 s here, once per call set-up.
 *
 * <p>Both sides must derive the same key without talking first, so the salt is fixed: the first 16
 * bytes of BLAKE2b-512 of {@value #SALT_LABEL}. A fixed salt lets an attacker precompute one
 * dictionary for every Viz user; the memory-hard cost per guess is what protects a secret, so a
 * secret must be long (see docs/security.md). The text is normalised (Unicode NFC) and encoded as
 * UTF-8 first, so the same words typed on two systems give the same key.
 */
public final class SecretStretcher {
    /** crypto_pwhash_OPSLIMIT_MODERATE. */
    public static final long OPS_LIMIT = 3;
    /** crypto_pwhash_MEMLIMIT_MODERATE, in MiB. */
    public static final int MEMORY_MIB = 256;
    public static final String SALT_LABEL = "viz secure v1 shared secret salt";
    private static final byte[] SALT = Arrays.copyOf(
            Sodium.blake2b(SALT_LABEL.getBytes(StandardCharsets.US_ASCII), Sodium.BLAKE2B_BYTES), Sodium.PWHASH_SALT_BYTES);

    private SecretStretcher() {
    }

    /**
     * The PSK for {@code secret}.
     *
     * @throws IllegalArgumentException when the secret is empty
     */
    public static byte[] psk(char[] secret) {
        String normalised = Normalizer.normalize(CharBuffer.wrap(secret), Normalizer.Form.NFC);
        if (normalised.isEmpty()) {
            throw new IllegalArgumentException("the shared secret is empty");
        }
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(normalised);
        byte[] password = new byte[encoded.remaining()];
        encoded.get(password);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        try {
            return Sodium.argon2id(password, SALT, 32, OPS_LIMIT, (long) MEMORY_MIB << 20);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }
}
