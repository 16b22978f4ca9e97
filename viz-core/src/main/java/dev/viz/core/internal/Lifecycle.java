package dev.viz.core.internal;

import dev.viz.core.SessionListener;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.VoiceSession;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's state and the one place that calls its {@link SessionListener}.
 *
 * <p>The state moves by compare-and-set only (each one, with its report, under a small lock that keeps
 * reports in order; never on the audio path), along
 * {@code NEW → CONNECTING → CONNECTED ⇄ RECONNECTING} and from any state to {@code ENDED}; a move
 * that loses a race or is not allowed from the current state does nothing. Exactly the thread whose
 * compare-and-set succeeded tells the listener, so each change is reported once, in the order the
 * changes happened, and nothing follows {@code ENDED}. Every hook is called through one guard: a
 * hook that throws is logged once (per hook, with its stack trace), counted, and otherwise ignored.
 *
 * <p>Any thread may call any method; the threads each hook runs on are those
 * {@link SessionListener} documents.
 */
final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);
    private static final String[] HOOKS = {"onStateChanged", "onPeerChanged", "onSecured", "onError", "onStats"};
    private static final int STATE = 0;
    private static final int PEER = 1;
    private static final int SECURED = 2;
    private static final int ERROR = 3;
    private static final int STATS = 4;

    private final VoiceSession session;
    private final SessionListener listener;
    private final SessionSignals signals;
    private final Counters counters;
    private final AtomicReference<SessionState> state = new AtomicReference<>(SessionState.NEW);
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicInteger hooksThatThrew = new AtomicInteger();
    private final AtomicInteger listenerThrows = new AtomicInteger();
    private final AtomicInteger throwsLogged = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);
    /**
     * Held across a state's compare-and-set and its report, so that reports keep the order of the
     * changes even when two threads move the state at once (a CONNECTED won on the network thread
     * cannot be reported after an ENDED won on another). State changes are a handful per call, never
     * on the audio path; the lock is reentrant, so a hook may itself end the session.
     */
    private final Object stateReports = new Object();
    private volatile String peer;
    private volatile String verificationCode;

    Lifecycle(VoiceSession session, SessionListener listener, SessionSignals signals, Counters counters) {
        this.session = session;
        this.listener = listener;
        this.signals = signals;
        this.counters = counters;
    }

    SessionState state() {
        return state.get();
    }

    // ---- moves ----------------------------------------------------------------------------------

    /** {@code NEW → CONNECTING}; false when the session was started or closed already. */
    boolean start() {
        return move(SessionState.NEW, SessionState.CONNECTING);
    }

    /** Network thread: a valid payload came, first or after reconnecting. */
    void connected() {
        if (!move(SessionState.CONNECTING, SessionState.CONNECTED)) {
            move(SessionState.RECONNECTING, SessionState.CONNECTED);
        }
    }

    /** Network thread: the transport lost its path while connected. */
    boolean reconnecting(String reason) {
        if (move(SessionState.CONNECTED, SessionState.RECONNECTING)) {
            LOG.info("reconnecting: {}", reason);
            return true;
        }
        return false;
    }

    /**
     * Moves to {@code ENDED} from wherever the state is and releases {@link #awaitEnd}; only the
     * first call does anything. The reason is the first one given to {@link SessionSignals#end}.
     *
     * @return whether this call ended the session
     */
    boolean ended(String fallbackReason) {
        signals.end(fallbackReason);
        synchronized (stateReports) {
            for (;;) {
                SessionState current = state.get();
                if (current == SessionState.ENDED) {
                    return false;
                }
                if (state.compareAndSet(current, SessionState.ENDED)) {
                    if (LOG.isInfoEnabled()) {
                        LOG.info("call ended: {}", signals.endReason());
                    }
                    call(STATE, SessionState.ENDED);
                    ended.countDown();
                    return true;
                }
            }
        }
    }

    /** {@code NEW → ENDED}, for a session closed before it started; false when it had started. */
    boolean endUnstarted(String reason) {
        synchronized (stateReports) {
            if (!state.compareAndSet(SessionState.NEW, SessionState.ENDED)) {
                return false;
            }
            signals.end(reason);
            call(STATE, SessionState.ENDED);
            ended.countDown();
            return true;
        }
    }

    private boolean move(SessionState from, SessionState to) {
        synchronized (stateReports) {
            if (!state.compareAndSet(from, to)) {
                return false;
            }
            if (LOG.isInfoEnabled()) {
                LOG.info("{}{}", to.name().toLowerCase(), peer == null ? "" : " (" + peer + ")");
            }
            call(STATE, to);
            return true;
        }
    }

    void awaitEnd() throws InterruptedException {
        ended.await();
    }

    boolean awaitEnd(long timeoutNs) throws InterruptedException {
        return ended.await(timeoutNs, TimeUnit.NANOSECONDS);
    }

    // ---- problems -------------------------------------------------------------------------------

    /** The calling thread met a problem a user should hear about; the session goes on. */
    void error(String message, Throwable cause) {
        LOG.warn(message);
        call(ERROR, message, cause);
    }

    /** The calling thread met a problem that ends the session: reported, kept as the failure, then the session ends. */
    void fail(String message, Throwable cause) {
        failure.compareAndSet(null, message);
        error(message, cause);
        signals.end(message);
    }

    /** The first failure, or null. */
    String failure() {
        return failure.get();
    }

    // ---- what the transport says (network thread) -----------------------------------------------

    void peerChanged(String newPeer) {
        if (newPeer != null && !newPeer.equals(peer)) {
            peer = newPeer;
            call(PEER, newPeer);
        }
    }

    void secured(String peerFingerprint, String code) {
        verificationCode = code;
        call(SECURED, peerFingerprint, code);
    }

    // ---- figures --------------------------------------------------------------------------------

    SessionStats stats() {
        return new SessionStats(counters.snapshot(), state.get(), peer, verificationCode);
    }

    /** Network thread, about once a second: hands the listener a snapshot, when it has one to take. */
    void publishStats() {
        if (listener != SessionListener.NONE) {
            call(STATS, stats());
        }
    }

    /** How many times a hook threw (for tests and the log). */
    int listenerThrows() {
        return listenerThrows.get();
    }

    /** How many throws were logged: at most one per hook. */
    int throwsLogged() {
        return throwsLogged.get();
    }

    // ---- the one guard ----------------------------------------------------------------------------

    private void call(int hook, Object a) {
        call(hook, a, null);
    }

    private void call(int hook, Object a, Object b) {
        try {
            switch (hook) {
                case STATE -> listener.onStateChanged(session, (SessionState) a);
                case PEER -> listener.onPeerChanged(session, (String) a);
                case SECURED -> listener.onSecured(session, (String) a, (String) b);
                case ERROR -> listener.onError(session, (String) a, (Throwable) b);
                case STATS -> listener.onStats(session, (SessionStats) a);
                default -> throw new IllegalArgumentException("hook " + hook);
            }
        } catch (RuntimeException e) {
            listenerThrows.incrementAndGet();
            int bit = 1 << hook;
            int before = hooksThatThrew.getAndAccumulate(bit, (x, y) -> x | y);
            if ((before & bit) == 0) {
                throwsLogged.incrementAndGet();
                LOG.warn("listener threw from {} (logged once; later throws are ignored)", HOOKS[hook], e);
            }
        }
    }
}
