package dev.viz.transport.secure.internal;

import dev.viz.core.Transport;
import dev.viz.core.Transport.Rejection;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the secure layer tells the outside: the {@link Transport.Events} it raises (ready, not ready,
 * secured, failed, warnings, rejections), the counters behind them, and the state the queries read.
 * The other parts report here; nothing here calls back into them.
 *
 * <p>Threads: the reporting methods on the network thread; {@link #isReady()}, the counters and the
 * other queries from any thread (volatile fields and an {@link AtomicLongArray}).
 */
public final class SecureStatus {
    private static final Logger LOG = LoggerFactory.getLogger(SecureStatus.class);
    /** The same warning is repeated at most this often (strangers' handshakes cannot flood the user). */
    public static final long WARNING_INTERVAL_NS = 2_000_000_000L;

    private static final int STAT_HANDSHAKES_STARTED = Rejection.values().length;
    private static final int STAT_HANDSHAKES_COMPLETED = STAT_HANDSHAKES_STARTED + 1;
    private static final int STAT_HANDSHAKES_ANSWERED = STAT_HANDSHAKES_STARTED + 2;
    private static final int STATS = STAT_HANDSHAKES_STARTED + 3;

    private final AtomicLongArray stats = new AtomicLongArray(STATS);
    private Transport.Events events;
    private long lastWarningNs;
    private String lastWarning;
    private volatile boolean ready;
    private volatile boolean failed;
    private volatile String failure;
    private volatile String verificationCode;
    private volatile String peerFingerprint;

    /** Where the events go; set once when the layer opens. */
    public void events(Transport.Events events) {
        this.events = events;
    }

    /** Whether a session is usable: set by a completed handshake, cleared while re-handshaking and by a failure. */
    public boolean isReady() {
        return ready;
    }

    /** Whether the layer gave up (see {@link #failure()}). */
    public boolean isFailed() {
        return failed;
    }

    /** A datagram was dropped. */
    public void reject(Rejection why) {
        stats.incrementAndGet(why.ordinal());
        events.onRejected(why);
    }

    void handshakeStarted() {
        stats.incrementAndGet(STAT_HANDSHAKES_STARTED);
    }

    void handshakeAnswered() {
        stats.incrementAndGet(STAT_HANDSHAKES_ANSWERED);
    }

    /** A handshake completed: the first makes the layer ready; every one tells its code. */
    void completed(Session session, String peer) {
        stats.incrementAndGet(STAT_HANDSHAKES_COMPLETED);
        verificationCode = session.verificationCode;
        peerFingerprint = session.peerFingerprint;
        becameReady(peer);
        if (LOG.isDebugEnabled()) {
            LOG.debug("secured with {} (code {})", session.peerFingerprint, session.verificationCode);
        }
        events.onSecured(session.peerFingerprint, session.verificationCode);
    }

    /** Ready again (after a completed handshake, or when the old session turned out to be alive). */
    public void becameReady(String peer) {
        if (!ready) {
            ready = true;
            events.onReady(peer);
        }
    }

    /** The session in use went quiet: not ready until a handshake or its own traffic says otherwise. */
    void notReady(String reason) {
        if (ready) {
            ready = false;
            events.onNotReady(reason);
        }
    }

    /** The wrapped transport's peer moved (passed on once a session exists). */
    public void peerMoved(String peer) {
        events.onPeerMoved(peer);
    }

    /** The wrapped transport cannot send for now: passed on. */
    public void notReadyBelow(String reason) {
        events.onNotReady(reason);
    }

    /** The wrapped transport has something to tell the user: passed on. */
    public void warnedBelow(String message) {
        events.onWarning(message);
    }

    /** The wrapped transport gave up: so does the layer. */
    public void failedBelow(String reason) {
        fail(reason);
    }

    /** Closed: never ready again. */
    public void closed() {
        ready = false;
    }

    /** Reports a problem that retrying will not fix: the call cannot go on. Once. */
    void fail(String reason) {
        if (failed) {
            return;
        }
        failed = true;
        ready = false;
        failure = reason;
        LOG.warn("{}", reason);
        events.onFailed(reason);
    }

    /**
     * Reports a problem that does not end the call. Unless {@code always}, the same message is
     * repeated at most every {@link #WARNING_INTERVAL_NS}.
     */
    void warn(String message, boolean always, long nowNs) {
        if (!always && message.equals(lastWarning) && nowNs - lastWarningNs < WARNING_INTERVAL_NS) {
            return;
        }
        lastWarning = message;
        lastWarningNs = nowNs;
        LOG.warn("{}", message);
        events.onWarning(message);
    }

    public long rejected(Rejection why) {
        return stats.get(why.ordinal());
    }

    public long handshakesStarted() {
        return stats.get(STAT_HANDSHAKES_STARTED);
    }

    public long handshakesAnswered() {
        return stats.get(STAT_HANDSHAKES_ANSWERED);
    }

    public long handshakesCompleted() {
        return stats.get(STAT_HANDSHAKES_COMPLETED);
    }

    public String failure() {
        return failure;
    }

    public String verificationCode() {
        return verificationCode;
    }

    public String peerFingerprint() {
        return peerFingerprint;
    }
}
