package dev.viz.benchmarks;

import com.goterl.lazysodium.Sodium;
import com.goterl.lazysodium.SodiumJava;

/**
 * ChaCha20-Poly1305 (IETF) with a 64-bit counter as nonce and the datagram header as associated
 * data, through lazysodium's raw {@link Sodium} methods (the libsodium bundled with lazysodium
 * 1.0.18), into buffers allocated once. This is the data-packet cipher of Viz's secure layer (Noise
 * transport messages); the benchmarks call libsodium directly so they do not depend on the secure
 * transport's internal classes.
 */
public final class Aead {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;

    private static final Sodium SODIUM = new SodiumJava();

    private final byte[] key = new byte[KEY_BYTES];
    private final byte[] nonce = new byte[NONCE_BYTES];
    private final long[] length = new long[1];

    public Aead(byte seed) {
        for (int i = 0; i < KEY_BYTES; i++) {
            key[i] = (byte) (seed + i * 7);
        }
    }

    /** The shared instance of libsodium, for the original-framing emulation's NaCl box. */
    public static Sodium sodium() {
        return SODIUM;
    }

    private void nonce(long counter) {
        // Noise: 32 bits of zeros, then the counter little-endian.
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
    }

    /**
     * Encrypts {@code plain[0 .. length)} into {@code out} (ciphertext then tag).
     *
     * @return the ciphertext length, or -1
     */
    public int encrypt(long counter, byte[] ad, int adLength, byte[] plain, int plainLength, byte[] out) {
        nonce(counter);
        int status = SODIUM.crypto_aead_chacha20poly1305_ietf_encrypt(out, length, plain, plainLength, ad, adLength,
                null, nonce, key);
        return status == 0 ? (int) length[0] : -1;
    }

    /** @return the plaintext length, or -1 when authentication fails */
    public int decrypt(long counter, byte[] ad, int adLength, byte[] cipher, int cipherLength, byte[] out) {
        nonce(counter);
        int status = SODIUM.crypto_aead_chacha20poly1305_ietf_decrypt(out, length, null, cipher, cipherLength, ad,
                adLength, nonce, key);
        return status == 0 ? (int) length[0] : -1;
    }
}
