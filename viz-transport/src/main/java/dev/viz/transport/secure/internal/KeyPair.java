package dev.viz.transport.secure.internal;

import java.util.Arrays;

/** An X25519 key pair: 32-byte private and public keys. Immutable apart from {@link #destroy()}. */
public final class KeyPair {
    private final byte[] privateKey;
    private final byte[] publicKey;

    private KeyPair(byte[] privateKey, byte[] publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /** A fresh key pair from the operating system's random generator. */
    public static KeyPair generate() {
        byte[] privateKey = new byte[Sodium.X25519_KEY_BYTES];
        Sodium.random(privateKey);
        return fromPrivate(privateKey);
    }

    /** The key pair of a given private key (copied). */
    public static KeyPair fromPrivate(byte[] privateKey) {
        if (privateKey.length != Sodium.X25519_KEY_BYTES) {
            throw new IllegalArgumentException("an X25519 private key has 32 bytes, not " + privateKey.length);
        }
        byte[] copy = privateKey.clone();
        return new KeyPair(copy, Sodium.x25519Public(copy));
    }

    /** The private key itself (not a copy): callers must not modify or keep it. */
    byte[] privateKeyUnsafe() {
        return privateKey;
    }

    public byte[] privateKey() {
        return privateKey.clone();
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Zeroes the private key. */
    public void destroy() {
        Arrays.fill(privateKey, (byte) 0);
    }
}
