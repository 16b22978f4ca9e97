package dev.viz.transport.secure.internal;

import java.nio.charset.StandardCharsets;

/**
 * What both handshake roles start from: this side's static key pair and, with a shared secret, the
 * pre-shared key that turns {@code XX} into {@code XXpsk3}. Makes the {@link HandshakeState}s.
 * Immutable apart from the key material it holds; network thread only.
 */
public final class NoiseSetup {
    private static final byte[] PROLOGUE = HandshakeHeader.PROLOGUE.getBytes(StandardCharsets.US_ASCII);

    private final KeyPair identity;
    private final byte[] psk;
    private final HandshakePattern pattern;
    private final byte mode;

    /** @param psk a 32-byte pre-shared key (then {@code XXpsk3}), or null ({@code XX}); copied */
    public NoiseSetup(KeyPair identity, byte[] psk) {
        this.identity = identity;
        this.psk = psk == null ? null : psk.clone();
        this.pattern = psk == null ? HandshakePattern.XX : HandshakePattern.XX_PSK3;
        this.mode = psk == null ? HandshakeHeader.MODE_XX : HandshakeHeader.MODE_XX_PSK3;
    }

    /** {@link HandshakeHeader#MODE_XX} or {@link HandshakeHeader#MODE_XX_PSK3}. */
    public byte mode() {
        return mode;
    }

    public boolean hasSecret() {
        return psk != null;
    }

    public HandshakePattern pattern() {
        return pattern;
    }

    HandshakeState initiator(KeyPair ephemeral) {
        return new HandshakeState(pattern, true, PROLOGUE, identity, ephemeral, null, null, psks());
    }

    HandshakeState responder(KeyPair ephemeral) {
        return new HandshakeState(pattern, false, PROLOGUE, identity, ephemeral, null, null, psks());
    }

    /**
     * A responder for an INIT of the other mode, only to read its first message (which needs no key)
     * and learn where to send the NOTICE.
     */
    HandshakeState otherModeReader() {
        return psk == null
                ? new HandshakeState(HandshakePattern.XX_PSK3, false, PROLOGUE, identity, null, null, null,
                        new byte[][] {new byte[32]})
                : new HandshakeState(HandshakePattern.XX, false, PROLOGUE, identity, null, null, null, new byte[0][]);
    }

    private byte[][] psks() {
        return psk == null ? new byte[0][] : new byte[][] {psk};
    }
}
