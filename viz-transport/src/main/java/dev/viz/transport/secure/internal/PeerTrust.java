package dev.viz.transport.secure.internal;

import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.KnownPeers;
import java.io.IOException;
import java.security.MessageDigest;

/**
 * Which peer keys this side accepts: the pinned key ({@code --peer-key}), the key remembered for the
 * address called ({@code known_peers}: a change is warned about loudly, not refused), and, within
 * one call, the first key met (a peer that comes back with another key is refused). Decides only;
 * the handshakes act on its answers. Network thread only.
 */
public final class PeerTrust {
    private final byte[] pinnedPeerKey;
    private final KnownPeers knownPeers;
    private final String knownPeersAddress;
    private final SecureStatus status;
    private byte[] firstPeerKey;

    /**
     * @param pinnedPeerKey the only peer key accepted, or null; copied
     * @param knownPeers remembered peers (used by the initiator), or null
     * @param knownPeersAddress the address the known peers are keyed by, or null for the wrapped transport's peer
     */
    public PeerTrust(byte[] pinnedPeerKey, KnownPeers knownPeers, String knownPeersAddress, SecureStatus status) {
        this.pinnedPeerKey = pinnedPeerKey == null ? null : pinnedPeerKey.clone();
        this.knownPeers = knownPeers;
        this.knownPeersAddress = knownPeersAddress;
        this.status = status;
    }

    /**
     * The initiator met {@code peerKey} in a RESPONSE from {@code peer}.
     *
     * @return why the call must not go on (the failure to report), or null to carry on; a changed
     *     remembered key is warned about here and not refused
     */
    String refusalOfResponder(byte[] peerKey, String peer, long nowNs) {
        if (pinnedPeerKey != null && !MessageDigest.isEqual(peerKey, pinnedPeerKey)) {
            return "the peer at " + peer + " presented the key " + Identity.fingerprintOf(peerKey)
                    + " but --peer-key expects " + Identity.fingerprintOf(pinnedPeerKey)
                    + ": someone may be intercepting the call, or the peer uses another identity. No audio was sent.";
        }
        if (firstPeerKey != null && !MessageDigest.isEqual(peerKey, firstPeerKey)) {
            return "the peer at " + peer + " came back with another key (" + Identity.fingerprintOf(peerKey)
                    + " instead of " + Identity.fingerprintOf(firstPeerKey) + "): refusing to continue the call with it";
        }
        if (firstPeerKey == null && knownPeers != null) {
            String address = address(peer);
            if (address != null && knownPeers.check(address, peerKey) == KnownPeers.Match.CHANGED) {
                status.warn("WARNING: THE KEY OF " + address + " HAS CHANGED. Known: " + knownPeers.fingerprint(address)
                        + ", now: " + Identity.fingerprintOf(peerKey) + ". Someone may be intercepting this call:"
                        + " compare the verification code by voice before you trust it. If the peer really has a new"
                        + " identity, delete its line from " + knownPeers.file() + ".", true, nowNs);
            }
        }
        return null;
    }

    /**
     * The responder met {@code peerKey} in a FINAL that authenticated.
     *
     * @param current the session of the call in progress, or null
     * @return why the caller is refused (the warning to give), or null to accept it
     */
    String refusalOfCaller(byte[] peerKey, Session current) {
        if (pinnedPeerKey != null && !MessageDigest.isEqual(peerKey, pinnedPeerKey)) {
            return "refused a caller with the key " + Identity.fingerprintOf(peerKey) + ": --peer-key accepts only "
                    + Identity.fingerprintOf(pinnedPeerKey);
        }
        if (current != null && !MessageDigest.isEqual(peerKey, current.remoteStatic)) {
            return "refused a handshake from another key (" + Identity.fingerprintOf(peerKey)
                    + ") during the call with " + current.peerFingerprint;
        }
        return null;
    }

    /** The initiator's first session is confirmed: its key is the call's, and remembered for the address. */
    void confirmedResponder(byte[] peerKey, String peer, long nowNs) {
        if (firstPeerKey != null) {
            return;
        }
        firstPeerKey = peerKey.clone();
        String address = address(peer);
        if (knownPeers == null || address == null) {
            return;
        }
        try {
            knownPeers.remember(address, peerKey);
        } catch (IOException e) {
            status.warn("cannot remember the peer's key in " + knownPeers.file() + ": " + e.getMessage(), true, nowNs);
        }
    }

    private String address(String peer) {
        return knownPeersAddress != null ? knownPeersAddress : peer;
    }
}
