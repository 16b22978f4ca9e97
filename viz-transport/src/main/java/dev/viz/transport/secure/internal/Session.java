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
    }

    void destroy() {
        sendKey.destroy();
        receiveKey.destroy();
    }
}
