package dev.viz.core;

/**
 * Observes a {@link VoiceSession}. Every hook has an empty default, so implement only what you need.
 *
 * <p>Hooks run on the session's own threads (mostly the network thread): they must be fast, must
 * not block, and should not throw (a hook that throws is logged once and otherwise ignored).
 */
public interface SessionListener {

    /** The session moved to {@code state}. */
    default void onStateChanged(VoiceSession session, SessionState state) {
    }

    /** The peer is now at {@code peer} (first contact, or the peer roamed). */
    default void onPeerChanged(VoiceSession session, String peer) {
    }

    /**
     * A secure transport authenticated the peer. Users compare {@code verificationCode} by voice:
     * a man in the middle makes the two sides' codes differ.
     */
    default void onSecured(VoiceSession session, String peerFingerprint, String verificationCode) {
    }

    /**
     * Something went wrong that a user should hear about: a device failed, the handshake was refused.
     * {@code cause} may be null. The session goes on unless its state moves to ENDED.
     */
    default void onError(VoiceSession session, String message, Throwable cause) {
    }

    /**
     * A fresh snapshot of the session's figures, about once a second while the call is connected
     * (round-trip time, loss, jitter, playout delay, bitrates each way, ...). Runs on the network
     * thread: keep it short.
     */
    default void onStats(VoiceSession session, SessionStats stats) {
    }

    /** A listener that does nothing. */
    SessionListener NONE = new SessionListener() {
    };
}
