package dev.viz.transport.secure.internal;

/**
 * When the initiator (re)starts a handshake: INIT retries every {@value #RETRY_INITIAL_NS} ns doubling
 * to {@value #RETRY_MAX_NS} ns, and a probe when this side has sent data but heard nothing
 * authenticated for {@value #SILENCE_BEFORE_PROBE_MS} ms. A probe that the peer answers while it is
 * merely quiet doubles the silence allowed (up to {@value #SILENCE_BEFORE_PROBE_MAX_MS} ms) until a
 * payload arrives again. Decides only, from the times it is given; holds no clock. Network thread only.
 */
public final class RetrySchedule {
    public static final long RETRY_INITIAL_NS = 500_000_000L;
    public static final long RETRY_MAX_NS = 8_000_000_000L;
    public static final long SILENCE_BEFORE_PROBE_MS = 1_500;
    public static final long SILENCE_BEFORE_PROBE_MAX_MS = 12_000;

    private long backoffNs = RETRY_INITIAL_NS;
    private long nextAttemptNs;
    private long lastAuthenticatedNs;
    private long lastSentNs;
    private long silenceBeforeProbeNs = SILENCE_BEFORE_PROBE_MS * 1_000_000L;

    /** The layer starts at {@code nowNs}: the first attempt is due at once. */
    public void start(long nowNs) {
        nextAttemptNs = nowNs;
        lastAuthenticatedNs = nowNs;
    }

    /** Whether a new attempt may start (none in progress). */
    boolean attemptDue(long nowNs) {
        return nowNs - nextAttemptNs >= 0;
    }

    /** This side has sent since it last heard from the peer, and the silence is long enough to probe. */
    boolean peerQuiet(long nowNs) {
        return lastSentNs - lastAuthenticatedNs > 0 && nowNs - lastAuthenticatedNs >= silenceBeforeProbeNs;
    }

    /** An unanswered INIT sent at {@code startedNs} is due for a retry. */
    boolean retryDue(long startedNs, long nowNs) {
        return nowNs - startedNs >= backoffNs;
    }

    /** Another INIT went unanswered: wait twice as long for the next (up to the maximum). */
    void backOff() {
        backoffNs = Math.min(backoffNs * 2, RETRY_MAX_NS);
    }

    /** No attempt before {@code fromNs} plus the current backoff. */
    void nextAttemptAfter(long fromNs) {
        nextAttemptNs = fromNs + backoffNs;
    }

    /** The peer answered: retries start over from the initial interval. */
    void answered() {
        backoffNs = RETRY_INITIAL_NS;
    }

    public void sent(long nowNs) {
        lastSentNs = nowNs;
    }

    /** An authenticated datagram of the current session arrived; a payload resets the silence allowed. */
    public void heard(long nowNs, boolean carriesPayload) {
        lastAuthenticatedNs = nowNs;
        if (carriesPayload) {
            silenceBeforeProbeNs = SILENCE_BEFORE_PROBE_MS * 1_000_000L;
        }
    }

    /** A handshake completed; when it was a probe, the peer was only quiet: allow it twice the silence. */
    void completed(long nowNs, boolean probe) {
        backoffNs = RETRY_INITIAL_NS;
        lastAuthenticatedNs = nowNs;
        if (probe) {
            silenceBeforeProbeNs = Math.min(silenceBeforeProbeNs * 2, SILENCE_BEFORE_PROBE_MAX_MS * 1_000_000L);
        }
    }

    /** How long the peer has been silent. */
    long silentForNs(long nowNs) {
        return nowNs - lastAuthenticatedNs;
    }
}
