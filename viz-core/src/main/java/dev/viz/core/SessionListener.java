package dev.viz.core;

/**
 * Observes a {@link VoiceSession}. Every hook has an empty default, so implement only what you need.
 *
 * <p><b>Threads.</b> Hooks run on the thread where the event happened, never on a thread of their
 * own:
 * <ul>
 *   <li>{@link #onStateChanged} with {@code CONNECTING}: the thread that calls {@link VoiceSession#start()};
 *       with {@code CONNECTED} and {@code RECONNECTING}: the network thread ({@code viz-network});
 *       with {@code ENDED}: the last of the session's three threads to stop, or the thread that calls
 *       {@code start()} when the transport cannot open, or the one that calls {@code close()} on a
 *       session never started.</li>
 *   <li>{@link #onPeerChanged}, {@link #onSecured} and {@link #onStats}: the network thread.</li>
 *   <li>{@link #onError}: the thread that met the problem: {@code viz-capture} (input device, codec
 *       warm-up), {@code viz-playback} (output device), {@code viz-network} (transport, handshake),
 *       or any of them when it crashed.</li>
 * </ul>
 * So hooks may run concurrently with each other on different threads: a listener that keeps state
 * makes it thread-safe.
 *
 * <p><b>Order.</b> States are reported once each change, in the order they happened:
 * {@code CONNECTING} first, then {@code CONNECTED} and {@code RECONNECTING} as the link comes and
 * goes, and {@code ENDED} last: no hook of any kind is called after {@code ENDED}, because it is
 * reported only once every session thread has stopped. Hooks from one thread come in that thread's
 * order; hooks from different threads are not ordered with each other.
 *
 * <p>Hooks must be fast and must not block: they hold up the thread that calls them. A hook that
 * throws is logged once (the first throw of each hook, with its stack trace) and otherwise ignored:
 * the session goes on and the hook keeps being called.
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
