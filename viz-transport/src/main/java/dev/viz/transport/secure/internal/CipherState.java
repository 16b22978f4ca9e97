package dev.viz.transport.secure.internal;

import java.util.Arrays;

/**
 * Noise {@code CipherState} (Noise specification, revision 34, section 5.1) for ChaChaPoly: a key
 * {@code k} (or none) and a 64-bit nonce {@code n}. The nonce is 32 bits of zeros followed by the
 * little-endian encoding of {@code n}.
 *
 * <p>This is the handshake's cipher and allocates (a few calls per handshake). The per-datagram
 * cipher of an established session is {@link PacketCipher}, which takes its key from {@link #key()}
 * after {@link SymmetricState#split()}.
 *
 * <p>Not thread-safe: owned by one handshake.
 */
public final class CipherState {
    /** 2^64 - 1 is reserved (Noise section 5.1): a nonce this large is never used. */
    public static final long MAX_NONCE = -1L;

    private byte[] k;
    private long n;

    /** {@code InitializeKey(key)}: a null key means "no key". */
    public void initializeKey(byte[] key) {
        if (k != null) {
            Arrays.fill(k, (byte) 0);
        }
        k = key == null ? null : key.clone();
        n = 0;
    }

    public boolean hasKey() {
        return k != null;
    }

    public void setNonce(long nonce) {
        n = nonce;
    }

    public long nonce() {
        return n;
    }

    /** A copy of the key, for the data path after {@code Split()}; null when there is none. */
    public byte[] key() {
        return k == null ? null : k.clone();
    }

    /** {@code EncryptWithAd}: returns the plaintext itself when there is no key. */
    public byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
        if (k == null) {
            return plaintext.clone();
        }
        if (n == MAX_NONCE) {
            throw new IllegalStateException("nonce exhausted");
        }
        byte[] ciphertext = Sodium.aeadEncrypt(k, nonce(n), ad, plaintext);
        n++;
        return ciphertext;
    }

    /**
     * {@code DecryptWithAd}: returns null when authentication fails, and then leaves the nonce
     * where it was.
     */
    public byte[] decryptWithAd(byte[] ad, byte[] ciphertext) {
        if (k == null) {
            return ciphertext.clone();
        }
        if (n == MAX_NONCE) {
            return null;
        }
        byte[] plaintext = Sodium.aeadDecrypt(k, nonce(n), ad, ciphertext);
        if (plaintext != null) {
            n++;
        }
        return plaintext;
    }

    /** {@code Rekey()}: the first 32 bytes of ENCRYPT(k, maxnonce, empty, 32 zeros). */
    public void rekey() {
        byte[] next = Sodium.aeadEncrypt(k, nonce(MAX_NONCE), new byte[0], new byte[32]);
        Arrays.fill(k, (byte) 0);
        k = Arrays.copyOf(next, 32);
    }

    /** Forgets the key. */
    public void destroy() {
        initializeKey(null);
    }

    /** The 96-bit ChaChaPoly nonce for {@code counter}: 4 zero bytes, then the counter little-endian. */
    static byte[] nonce(long counter) {
        byte[] nonce = new byte[Sodium.AEAD_NONCE_BYTES];
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        return nonce;
    }
}
