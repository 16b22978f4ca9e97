package dev.viz.core;

/** Where a {@link VoiceSession} is in its life. States only move forward, except CONNECTED ⇄ RECONNECTING. */
public enum SessionState {
    /** Built, not started. */
    NEW,
    /** Started; waiting for the peer (and, on a secure transport, for the handshake). */
    CONNECTING,
    /** The peer answered: audio flows both ways. */
    CONNECTED,
    /** The peer went quiet or restarted; the transport is re-establishing the call. */
    RECONNECTING,
    /** Over: ended by either side, by the idle timeout, by the duration limit, or by a failure. */
    ENDED
}
