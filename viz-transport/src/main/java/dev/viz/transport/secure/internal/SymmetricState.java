package dev.viz.transport.secure.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Noise {@code SymmetricState} (section 5.2) with BLAKE2b as HASH: the chaining key {@code ck},
 * the handshake hash {@code h} (64 bytes each) and a {@link CipherState}. HMAC and HKDF are built
 * exactly as the specification defines them (section 4.3): HMAC over BLAKE2b with a block length of
 * 128 bytes, not BLAKE2b's own keyed mode.
 *
 * <p>Not thread-safe: owned by one handshake.
 */
public final class SymmetricState {
    public static final int HASH_LENGTH = Sodium.BLAKE2B_BYTES;
    public static final int BLOCK_LENGTH = 128;
    private static final int KEY_LENGTH = Sodium.AEAD_KEY_BYTES;

    private final CipherState cipher = new CipherState();
    private byte[] ck;
    private byte[] h;

    /** {@code InitializeSymmetric(protocol_name)}. */
    public SymmetricState(String protocolName) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        h = name.length <= HASH_LENGTH ? Arrays.copyOf(name, HASH_LENGTH) : hash(name);
        ck = h.clone();
        cipher.initializeKey(null);
    }

    public void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = hkdf(ck, inputKeyMaterial, 2);
        ck = out[0];
        cipher.initializeKey(Arrays.copyOf(out[1], KEY_LENGTH));
        Arrays.fill(out[1], (byte) 0);
    }

    public void mixHash(byte[] data) {
        h = hash(concat(h, data));
    }

    public void mixKeyAndHash(byte[] inputKeyMaterial) {
        byte[][] out = hkdf(ck, inputKeyMaterial, 3);
        ck = out[0];
        mixHash(out[1]);
        cipher.initializeKey(Arrays.copyOf(out[2], KEY_LENGTH));
        Arrays.fill(out[2], (byte) 0);
    }

    public byte[] handshakeHash() {
        return h.clone();
    }

    public boolean hasKey() {
        return cipher.hasKey();
    }

    public byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipher.encryptWithAd(h, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    /** Returns null when authentication fails (the state is then unusable: abandon the handshake). */
    public byte[] decryptAndHash(byte[] ciphertext) {
        byte[] plaintext = cipher.decryptWithAd(h, ciphertext);
        if (plaintext != null) {
            mixHash(ciphertext);
        }
        return plaintext;
    }

    /** {@code Split()}: the initiator's sending cipher first, the responder's second. */
    public CipherState[] split() {
        byte[][] out = hkdf(ck, new byte[0], 2);
        CipherState first = new CipherState();
        first.initializeKey(Arrays.copyOf(out[0], KEY_LENGTH));
        CipherState second = new CipherState();
        second.initializeKey(Arrays.copyOf(out[1], KEY_LENGTH));
        Arrays.fill(out[0], (byte) 0);
        Arrays.fill(out[1], (byte) 0);
        return new CipherState[] {first, second};
    }

    /** Forgets the chaining key and the cipher's key (the hash is public). */
    public void destroy() {
        Arrays.fill(ck, (byte) 0);
        cipher.destroy();
    }

    static byte[] hash(byte[] data) {
        return Sodium.blake2b(data, HASH_LENGTH);
    }

    /** HMAC-HASH (RFC 2104) with BLAKE2b: keys are at most HASHLEN, so they are only zero-padded. */
    static byte[] hmac(byte[] key, byte[] data) {
        byte[] block = Arrays.copyOf(key, BLOCK_LENGTH);
        byte[] inner = new byte[BLOCK_LENGTH + data.length];
        byte[] outer = new byte[BLOCK_LENGTH + HASH_LENGTH];
        for (int i = 0; i < BLOCK_LENGTH; i++) {
            inner[i] = (byte) (block[i] ^ 0x36);
            outer[i] = (byte) (block[i] ^ 0x5c);
        }
        System.arraycopy(data, 0, inner, BLOCK_LENGTH, data.length);
        byte[] innerHash = hash(inner);
        System.arraycopy(innerHash, 0, outer, BLOCK_LENGTH, HASH_LENGTH);
        byte[] result = hash(outer);
        Arrays.fill(block, (byte) 0);
        Arrays.fill(inner, (byte) 0);
        Arrays.fill(outer, (byte) 0);
        return result;
    }

    /** HKDF as Noise section 4.3 defines it: 2 or 3 outputs of HASHLEN bytes. */
    static byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial, int outputs) {
        byte[] tempKey = hmac(chainingKey, inputKeyMaterial);
        byte[][] out = new byte[outputs][];
        byte[] previous = new byte[0];
        for (int i = 0; i < outputs; i++) {
            byte[] input = Arrays.copyOf(previous, previous.length + 1);
            input[previous.length] = (byte) (i + 1);
            out[i] = hmac(tempKey, input);
            previous = out[i];
        }
        Arrays.fill(tempKey, (byte) 0);
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
