package dev.viz.transport.secure.internal;

import com.goterl.lazysodium.utils.LibraryLoader;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.List;

/**
 * The few libsodium functions the secure layer needs, bound with JNA direct mapping.
 *
 * <p>lazysodium (5.1.4) carries libsodium: its loader takes the system's library when one is
 * installed and the copy bundled in its jar otherwise, and registers our natives on this class.
 * We map the functions ourselves because the hot path needs offsets inside native buffers
 * ({@link Pointer} arguments made once), which lazysodium's {@code byte[]} API cannot give, and its
 * convenience API allocates on every call. The {@code byte[]} overloads serve the handshake, which
 * runs a few times per call and may allocate.
 *
 * <p>Probed once, Netty style: {@link #isAvailable()} and {@link #unavailabilityCause()}; every
 * other method requires {@link #ensureAvailable()} to have succeeded. {@code size_t} arguments are
 * mapped to {@code long}, so only 64-bit platforms are supported (checked by the probe).
 *
 * <p>Thread-safe: libsodium functions are reentrant after {@code sodium_init}.
 */
public final class Sodium {
    public static final int X25519_KEY_BYTES = 32;
    public static final int AEAD_KEY_BYTES = 32;
    public static final int AEAD_NONCE_BYTES = 12;
    public static final int AEAD_TAG_BYTES = 16;
    public static final int BLAKE2B_BYTES = 64;
    public static final int PWHASH_SALT_BYTES = 16;
    /** crypto_pwhash_ALG_ARGON2ID13. */
    public static final int PWHASH_ALG_ARGON2ID13 = 2;

    private static final Throwable CAUSE = load();

    private Sodium() {
    }

    private static Throwable load() {
        try {
            if (Native.POINTER_SIZE != 8) {
                return new UnsupportedOperationException(
                        "the secure layer needs a 64-bit JVM (this one has " + Native.POINTER_SIZE * 8 + "-bit pointers)");
            }
            new LibraryLoader(List.of(Sodium.class)).loadLibrary(LibraryLoader.Mode.PREFER_SYSTEM, "sodium");
            if (sodium_init() < 0) {
                return new IllegalStateException("sodium_init failed");
            }
            return null;
        } catch (Throwable e) { // LinkageError, LibraryLoadingException: report, do not crash class loading
            return e;
        }
    }

    /** Whether libsodium could be loaded and initialised. */
    public static boolean isAvailable() {
        return CAUSE == null;
    }

    /** Why libsodium is not available, or null when it is. */
    public static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /** @throws IllegalStateException saying what to install when libsodium cannot be used */
    public static void ensureAvailable() {
        if (CAUSE != null) {
            throw new IllegalStateException("libsodium is not available (" + CAUSE
                    + "): install libsodium (Debian/Ubuntu: apt-get install libsodium23; macOS: brew install libsodium)"
                    + " or use a platform for which lazysodium bundles it", CAUSE);
        }
    }

    // ---- natives (registered by the loader above) -------------------------------------------------

    static native int sodium_init();

    static native void randombytes_buf(byte[] buf, long size);

    static native int crypto_scalarmult_base(byte[] q, byte[] n);

    static native int crypto_scalarmult(byte[] q, byte[] n, byte[] p);

    static native int crypto_aead_chacha20poly1305_ietf_encrypt(byte[] c, long[] clenP, byte[] m, long mlen,
            byte[] ad, long adlen, byte[] nsec, byte[] npub, byte[] k);

    static native int crypto_aead_chacha20poly1305_ietf_decrypt(byte[] m, long[] mlenP, byte[] nsec, byte[] c,
            long clen, byte[] ad, long adlen, byte[] npub, byte[] k);

    /** Hot path: all pointers into native buffers prepared once; {@code clenP} and {@code nsec} null. */
    static native int crypto_aead_chacha20poly1305_ietf_encrypt(Pointer c, Pointer clenP, Pointer m, long mlen,
            Pointer ad, long adlen, Pointer nsec, Pointer npub, Pointer k);

    /** Hot path: all pointers into native buffers prepared once; {@code mlenP} and {@code nsec} null. */
    static native int crypto_aead_chacha20poly1305_ietf_decrypt(Pointer m, Pointer mlenP, Pointer nsec, Pointer c,
            long clen, Pointer ad, long adlen, Pointer npub, Pointer k);

    static native int crypto_generichash(byte[] out, long outlen, byte[] in, long inlen, byte[] key, long keylen);

    static native int crypto_pwhash(byte[] out, long outlen, byte[] passwd, long passwdlen, byte[] salt,
            long opslimit, long memlimit, int alg);

    // ---- small helpers for the handshake (may allocate) -------------------------------------------

    /** Fills {@code buffer} with random bytes from the operating system's generator. */
    public static void random(byte[] buffer) {
        randombytes_buf(buffer, buffer.length);
    }

    /** The X25519 public key of {@code privateKey}. */
    public static byte[] x25519Public(byte[] privateKey) {
        byte[] publicKey = new byte[X25519_KEY_BYTES];
        if (crypto_scalarmult_base(publicKey, privateKey) != 0) {
            throw new IllegalStateException("crypto_scalarmult_base failed");
        }
        return publicKey;
    }

    /**
     * X25519; returns null when the result is all zeros (the peer sent a low-order point), which
     * the handshake treats as a failure.
     */
    public static byte[] x25519(byte[] privateKey, byte[] publicKey) {
        byte[] shared = new byte[X25519_KEY_BYTES];
        return crypto_scalarmult(shared, privateKey, publicKey) == 0 ? shared : null;
    }

    /** Unkeyed BLAKE2b of {@code data} with an output of {@code outLength} bytes (16 to 64). */
    public static byte[] blake2b(byte[] data, int outLength) {
        byte[] out = new byte[outLength];
        if (crypto_generichash(out, outLength, data, data.length, null, 0) != 0) {
            throw new IllegalStateException("crypto_generichash failed");
        }
        return out;
    }

    /** Keyed BLAKE2b (its own MAC mode, not HMAC): {@code key} 16 to 64 bytes. */
    public static byte[] blake2bKeyed(byte[] key, byte[] data, int outLength) {
        byte[] out = new byte[outLength];
        if (crypto_generichash(out, outLength, data, data.length, key, key.length) != 0) {
            throw new IllegalStateException("crypto_generichash failed");
        }
        return out;
    }

    /** ChaCha20-Poly1305 (IETF) encryption; returns ciphertext and tag. */
    public static byte[] aeadEncrypt(byte[] key, byte[] nonce, byte[] ad, byte[] plaintext) {
        byte[] out = new byte[plaintext.length + AEAD_TAG_BYTES];
        crypto_aead_chacha20poly1305_ietf_encrypt(out, null, plaintext, plaintext.length, ad, ad.length, null,
                nonce, key);
        return out;
    }

    /** ChaCha20-Poly1305 (IETF) decryption; null when authentication fails. */
    public static byte[] aeadDecrypt(byte[] key, byte[] nonce, byte[] ad, byte[] ciphertext) {
        if (ciphertext.length < AEAD_TAG_BYTES) {
            return null;
        }
        byte[] out = new byte[ciphertext.length - AEAD_TAG_BYTES];
        int status = crypto_aead_chacha20poly1305_ietf_decrypt(out, null, null, ciphertext, ciphertext.length, ad,
                ad.length, nonce, key);
        return status == 0 ? out : null;
    }

    /**
     * Argon2id (crypto_pwhash, version 1.3).
     *
     * @throws IllegalStateException when libsodium refuses (out of memory)
     */
    public static byte[] argon2id(byte[] password, byte[] salt, int outLength, long opsLimit, long memLimitBytes) {
        byte[] out = new byte[outLength];
        if (crypto_pwhash(out, outLength, password, password.length, salt, opsLimit, memLimitBytes,
                PWHASH_ALG_ARGON2ID13) != 0) {
            throw new IllegalStateException("Argon2id failed: not enough memory for " + (memLimitBytes >> 20) + " MiB?");
        }
        return out;
    }
}
