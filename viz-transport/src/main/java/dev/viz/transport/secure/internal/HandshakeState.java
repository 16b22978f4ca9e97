package dev.viz.transport.secure.internal;

import dev.viz.transport.secure.internal.HandshakePattern.Token;
import java.util.Arrays;

/**
 * Noise {@code HandshakeState} (section 5.3) for any {@link HandshakePattern} over
 * 25519_ChaChaPoly_BLAKE2b: reads and writes handshake messages in turn, then splits into the two
 * transport ciphers.
 *
 * <p>A message that fails (wrong length, failed authentication, a low-order public key) makes
 * {@link #readMessage} return null and the state {@linkplain #isFailed() failed}: the caller
 * abandons the handshake, as the specification requires. Allocates (a handshake is a handful of
 * calls per call); the data path does not use this class.
 *
 * <p>Not thread-safe: owned by one handshake.
 */
public final class HandshakeState {
    public static final int DH_LENGTH = Sodium.X25519_KEY_BYTES;
    public static final int TAG_LENGTH = Sodium.AEAD_TAG_BYTES;

    private final HandshakePattern pattern;
    private final boolean initiator;
    private final SymmetricState symmetric;
    private final KeyPair s;
    private KeyPair e;
    private byte[] rs;
    private byte[] re;
    private final byte[][] psks;
    private int pskIndex;
    private int messageIndex;
    private boolean failed;
    private boolean failedOnPayload;
    private CipherState[] split;

    /**
     * {@code Initialize(...)}.
     *
     * @param localStatic the local static key pair, or null when the pattern has none
     * @param presetEphemeral the ephemeral key pair to use instead of a fresh one (test vectors only), or null
     * @param remoteStatic the peer's static public key when known before the handshake, or null
     * @param remoteEphemeral the peer's ephemeral public key when known before (never in practice), or null
     * @param psks the pre-shared keys the pattern's {@code psk} tokens consume, in order (32 bytes each)
     */
    public HandshakeState(HandshakePattern pattern, boolean initiator, byte[] prologue, KeyPair localStatic,
            KeyPair presetEphemeral, byte[] remoteStatic, byte[] remoteEphemeral, byte[]... psks) {
        if (psks.length != pattern.pskCount()) {
            throw new IllegalArgumentException(pattern + " needs " + pattern.pskCount() + " PSK(s), got " + psks.length);
        }
        for (byte[] psk : psks) {
            if (psk.length != 32) {
                throw new IllegalArgumentException("a Noise PSK has 32 bytes, not " + psk.length);
            }
        }
        this.pattern = pattern;
        this.initiator = initiator;
        this.symmetric = new SymmetricState(pattern.protocolName());
        this.s = localStatic;
        this.e = presetEphemeral;
        this.rs = remoteStatic == null ? null : remoteStatic.clone();
        this.re = remoteEphemeral == null ? null : remoteEphemeral.clone();
        this.psks = psks.clone();
        symmetric.mixHash(prologue);
        mixPreMessage(pattern.initiatorPreMessage(), initiator);
        mixPreMessage(pattern.responderPreMessage(), !initiator);
    }

    private void mixPreMessage(Token[] tokens, boolean local) {
        for (Token token : tokens) {
            byte[] key;
            if (token == Token.S) {
                key = local ? require(s, "local static").publicKey() : require(rs, "remote static");
            } else if (token == Token.E) {
                key = local ? require(e, "local ephemeral").publicKey() : require(re, "remote ephemeral");
            } else {
                throw new IllegalArgumentException("pre-messages hold only e and s");
            }
            symmetric.mixHash(key);
            if (token == Token.E && pattern.isPskMode()) {
                symmetric.mixKey(key);
            }
        }
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException("the pattern needs the " + what + " key");
        }
        return value;
    }

    /** Whether the next message is ours to write. */
    public boolean isMyTurn() {
        return !isComplete() && (messageIndex % 2 == 0) == initiator;
    }

    public boolean isComplete() {
        return split != null;
    }

    public boolean isFailed() {
        return failed;
    }

    /**
     * Whether the last {@link #readMessage} failed only at the payload, after every token of the
     * message had passed: with a {@code psk} token in the message, the sign of a different key.
     */
    public boolean failedOnPayload() {
        return failedOnPayload;
    }

    /** Index of the next handshake message (0 for the first). */
    public int messageIndex() {
        return messageIndex;
    }

    /** {@code WriteMessage(payload)}: the message to send. */
    public byte[] writeMessage(byte[] payload) {
        if (!isMyTurn() || failed) {
            throw new IllegalStateException("not our turn to write a handshake message");
        }
        byte[] out = new byte[0];
        for (Token token : pattern.message(messageIndex)) {
            switch (token) {
                case E:
                    if (e == null) {
                        e = KeyPair.generate();
                    }
                    byte[] publicKey = e.publicKey();
                    out = SymmetricState.concat(out, publicKey);
                    symmetric.mixHash(publicKey);
                    if (pattern.isPskMode()) {
                        symmetric.mixKey(publicKey);
                    }
                    break;
                case S:
                    out = SymmetricState.concat(out, symmetric.encryptAndHash(require(s, "local static").publicKey()));
                    break;
                case PSK:
                    symmetric.mixKeyAndHash(psks[pskIndex++]);
                    break;
                default:
                    if (!mixDh(token)) {
                        failed = true;
                        throw new IllegalStateException("the peer's public key is of low order");
                    }
            }
        }
        out = SymmetricState.concat(out, symmetric.encryptAndHash(payload));
        advance();
        return out;
    }

    /** {@code ReadMessage(message)}: the payload, or null when the message is not valid (the state is then failed). */
    public byte[] readMessage(byte[] message) {
        if (isMyTurn() || isComplete() || failed) {
            failed = true;
            return null;
        }
        int at = 0;
        for (Token token : pattern.message(messageIndex)) {
            switch (token) {
                case E:
                    if (message.length - at < DH_LENGTH) {
                        return fail();
                    }
                    re = Arrays.copyOfRange(message, at, at + DH_LENGTH);
                    at += DH_LENGTH;
                    symmetric.mixHash(re);
                    if (pattern.isPskMode()) {
                        symmetric.mixKey(re);
                    }
                    break;
                case S:
                    int length = DH_LENGTH + (symmetric.hasKey() ? TAG_LENGTH : 0);
                    if (message.length - at < length) {
                        return fail();
                    }
                    byte[] key = symmetric.decryptAndHash(Arrays.copyOfRange(message, at, at + length));
                    if (key == null) {
                        return fail();
                    }
                    rs = key;
                    at += length;
                    break;
                case PSK:
                    symmetric.mixKeyAndHash(psks[pskIndex++]);
                    break;
                default:
                    if (!mixDh(token)) {
                        return fail();
                    }
            }
        }
        if (symmetric.hasKey() && message.length - at < TAG_LENGTH) {
            return fail();
        }
        byte[] payload = symmetric.decryptAndHash(Arrays.copyOfRange(message, at, message.length));
        if (payload == null) {
            failedOnPayload = true;
            return fail();
        }
        advance();
        return payload;
    }

    private byte[] fail() {
        failed = true;
        return null;
    }

    private boolean mixDh(Token token) {
        byte[] shared;
        switch (token) {
            case EE:
                shared = dh(e, re);
                break;
            case ES:
                shared = initiator ? dh(e, rs) : dh(s, re);
                break;
            case SE:
                shared = initiator ? dh(s, re) : dh(e, rs);
                break;
            case SS:
                shared = dh(s, rs);
                break;
            default:
                throw new IllegalStateException("not a DH token: " + token);
        }
        if (shared == null) {
            return false;
        }
        symmetric.mixKey(shared);
        Arrays.fill(shared, (byte) 0);
        return true;
    }

    private static byte[] dh(KeyPair local, byte[] remote) {
        if (local == null || remote == null) {
            throw new IllegalStateException("a DH token before both keys are known: the pattern is invalid");
        }
        return Sodium.x25519(local.privateKeyUnsafe(), remote);
    }

    private void advance() {
        messageIndex++;
        if (messageIndex == pattern.messageCount()) {
            split = symmetric.split();
            symmetric.destroy();
            if (e != null) {
                e.destroy();
            }
        }
    }

    /** The handshake hash {@code h}: the same on both sides only when nobody interfered. */
    public byte[] handshakeHash() {
        return symmetric.handshakeHash();
    }

    /** The peer's static public key once received (or pre-known), else null. */
    public byte[] remoteStatic() {
        return rs == null ? null : rs.clone();
    }

    /** After completion: the cipher for what this side sends. */
    public CipherState sender() {
        requireComplete();
        return initiator ? split[0] : split[1];
    }

    /** After completion: the cipher for what this side receives. */
    public CipherState receiver() {
        requireComplete();
        return initiator ? split[1] : split[0];
    }

    private void requireComplete() {
        if (split == null) {
            throw new IllegalStateException("handshake not complete");
        }
    }

    public boolean isInitiator() {
        return initiator;
    }

    public HandshakePattern pattern() {
        return pattern;
    }
}
