package dev.viz.transport.secure.internal;

/**
 * The established sessions: the current one, which sends, and the previous one, kept
 * {@value #PREVIOUS_SESSION_LIFETIME_NS} ns after a re-handshake so that its late datagrams still
 * open. Network thread only.
 */
public final class Sessions {
    public static final long PREVIOUS_SESSION_LIFETIME_NS = 10_000_000_000L;

    private Session current;
    private Session previous;
    private long previousSinceNs;

    /** The session that sends, or null before the first handshake. */
    public Session current() {
        return current;
    }

    /** The session whose receiver index is {@code index} (current, the candidate, or previous), or null. */
    public Session find(int index, Session candidate) {
        Session c = current;
        if (c != null && c.localIndex == index) {
            return c;
        }
        if (candidate != null && candidate.localIndex == index) {
            return candidate;
        }
        Session p = previous;
        if (p != null && p.localIndex == index) {
            return p;
        }
        return null;
    }

    /** A new session becomes current; the one it replaces stays readable for a while. */
    void install(Session session, long nowNs) {
        if (previous != null && previous != current) {
            previous.destroy();
        }
        previous = current;
        previousSinceNs = nowNs;
        current = session;
    }

    /** Forgets the previous session once its lifetime is over. */
    public void expire(long nowNs) {
        if (previous != null && nowNs - previousSinceNs > PREVIOUS_SESSION_LIFETIME_NS) {
            previous.destroy();
            previous = null;
        }
    }
}
