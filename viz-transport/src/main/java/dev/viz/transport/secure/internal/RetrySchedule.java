package dev.viz.transport.secure.internal;

/**
 * When the initiator (re)starts a handshake: INIT retries every {@value #RETRY_INITIAL_NS} ns doubling
 * to {@value #RETRY_MAX_NS} ns, and a probe when this side has sent data but heard nothing
 * authenticated for {@value #SILENCE_BEFORE_PROBE_MS} ms. A probe that the peer answers while it is
 * merely quiet doubles the silence allowed (up to {@value #SILENCE_BEFORE_PROBE_MAX_MS} ms) until a
 * payload arrives again.
 *
 * <p>Decides only, from the times it is given and the times the {@link DataPath} keeps (when data
 * last went out, when the current session was last heard from, when a payload last arrived), which
 * it reads in the initiator's timer work: the data path never calls it. Holds no clock. Network
 * thread only.
 */
public final class RetrySchedule {
    public static final long RETRY_INITIAL_NS = 500_000_000L;
    public static final long RETRY_MAX_NS = 8_000_000_000L;
    public static final long SILENCE_BEFORE_PROBE_MS = 1_500;
    public static final long SILENCE_BEFORE_PROBE_MAX_MS = 12_000;
    private static final long SILENCE_BEFORE_PROBE_NS = SILENCE_BEFORE_PROBE_MS * 1_000_000L;

    private final DataPath data;
    private long backoffNs = RETRY_INITIAL_NS;
    private long nextAttemptNs;
    /** The silence allowed since the last answered probe, until a payload arrives after it. */
    private long probeSilenceNs = SILENCE_BEFORE_PROBE_NS;
    /** {@link DataPath#lastPayloadNs()} when the last probe was answered: a newer one resets the silence. */
    private long payloadAtProbeNs;

    public RetrySchedule(DataPath data) {
        this.data = data;
    }

    /** The layer starts at {@code nowNs}: the first attempt is due at once. */
    public void start(long nowNs) {
        nextAttemptNs = nowNs;
    }

    /** Whether a new attempt may start (none in progress). */
    boolean attemptDue(long nowNs) {
        return nowNs - nextAttemptNs >= 0;
    }

    /** This side has sent since it last heard from the peer, and the silence is long enough to probe. */
    boolean peerQuiet(long nowNs) {
        long heardNs = data.lastHeardNs();
        return data.lastSentNs() - heardNs > 0 && nowNs - heardNs >= silenceBeforeProbeNs();
    }

    /** The silence allowed before a probe: the initial one again once a payload arrived after the last answered probe. */
    private long silenceBeforeProbeNs() {
        return data.lastPayloadNs() != payloadAtProbeNs ? SILENCE_BEFORE_PROBE_NS : probeSilenceNs;
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

    /**
     * A handshake completed at {@code nowNs} (its session is installed); when it was a probe, the
     * peer was only quiet: allow it twice the silence. A payload opened at {@code nowNs} counts as
     * arriving after the answer (the confirming datagram itself may carry one), so it leaves the
     * silence at the initial value.
     */
    void completed(long nowNs, boolean probe) {
        backoffNs = RETRY_INITIAL_NS;
        if (probe) {
            long payloadNs = data.lastPayloadNs();
            probeSilenceNs = payloadNs == nowNs ? SILENCE_BEFORE_PROBE_NS
                    : Math.min(silenceBeforeProbeNs() * 2, SILENCE_BEFORE_PROBE_MAX_MS * 1_000_000L);
            payloadAtProbeNs = payloadNs;
        }
    }

    /** How long the peer has been silent. */
    long silentForNs(long nowNs) {
        return nowNs - data.lastHeardNs();
    }
}
