package dev.viz.transport.secure.internal;

import dev.viz.transport.secure.Identity;

/**
 * One established secure session: the two direction keys from the handshake's {@code Split()},
 * both session indexes, the send counter and the replay window. Network thread only.
 */
public final class Session {
    final int localIndex;
    final int remoteIndex;
    final PacketKey sendKey;
    final PacketKey receiveKey;
    final ReplayWindow window = new ReplayWindow();
    final byte[] remoteStatic;
    final String peerFingerprint;
    final String verificationCode;
    /**
     * The key of this session's path messages (a direct-path transport's candidates and probes):
     * keyed BLAKE2b of {@link #PATH_KEY_LABEL} under the handshake hash, which both ends hold and
     * nobody else can compute. Separate from the data keys, so path messages can never be mistaken
     * for data.
     */
    final byte[] pathKey;
    /** Responder: the FINAL that made this session, to recognise its retransmissions. */
    byte[] finalMessage;
    int confirmsResent;
    /** An authenticated datagram arrived in this session: the peer has the keys. */
    boolean heardFrom;
    long nextCounter;

    Session(HandshakeState handshake, int localIndex, int remoteIndex) {
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.sendKey = new PacketKey(handshake.sender().key());
        this.receiveKey = new PacketKey(handshake.receiver().key());
        handshake.sender().destroy();
        handshake.receiver().destroy();
        this.remoteStatic = handshake.remoteStatic();
        this.peerFingerprint = Identity.fingerprintOf(remoteStatic);
        this.verificationCode = VerificationCode.of(handshake.handshakeHash());
        this.pathKey = Sodium.blake2bKeyed(handshake.handshakeHash(), PATH_KEY_LABEL, PATH_KEY_BYTES);
    }

    /** What {@link #pathKey} is derived from under the handshake hash. */
    static final byte[] PATH_KEY_LABEL = "viz direct path key v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** The length of {@link #pathKey}: a ChaCha20-Poly1305 key. */
    public static final int PATH_KEY_BYTES = 32;

    /** A copy of this session's path key (see {@link #pathKey}). */
    public byte[] pathKey() {
        return pathKey.clone();
    }

    void destroy() {
        sendKey.destroy();
        receiveKey.destroy();
        java.util.Arrays.fill(pathKey, (byte) 0);
    }
}
