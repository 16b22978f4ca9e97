package dev.viz.core.internal;

import dev.viz.core.Transport;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The network thread's idle strategy: sleeps on a {@link Selector} over the transport's sockets
 * until a datagram arrives, the capture thread queues a frame ({@link SessionSignals#wakeNetwork}),
 * or a timer may be due, instead of waking every millisecond to poll. A call then costs the thread
 * about two wake-ups per frame (one for the frame to send, one for the peer's datagram) instead of a
 * thousand polls a second, and a datagram is read as it arrives rather than up to a park later.
 *
 * <p>The transport stack says whether it can be waited on ({@link Transport#registerReads}); when it
 * cannot (an impairment with delayed datagrams, a stream being dialled, TLS), or the selector could
 * not be opened, the strategy polls with the {@link BackoffIdleStrategy} it is given, as the network
 * thread did before.
 *
 * <p>Timers (receiver reports, keepalives, the idle timeout, the transport's handshake and relay
 * timers) are checked at the latest {@link #BUSY_MAX_SLEEP_MS} after the last work during a call
 * and {@link #QUIET_MAX_SLEEP_MS} while no peer has answered.
 *
 * <p>Network thread only, but for {@link #wakeup}, which any thread may call. Allocation-free in
 * steady state.
 */
final class NetworkIdleStrategy implements IdleStrategy {
    /** The longest sleep while a call runs: timers are due at most this late. */
    static final long BUSY_MAX_SLEEP_MS = 20;
    /** The longest sleep while no peer has answered. */
    static final long QUIET_MAX_SLEEP_MS = 100;
    private static final Consumer<SelectionKey> IGNORE_KEY = key -> { };

    private final Transport transport;
    private final SessionSignals signals;
    private final BooleanSupplier framesWaiting;
    private final BackoffIdleStrategy polling;
    private final Selector selector;
    private final IOException unavailabilityCause;
    private boolean readyAndUnread;
    private long sleeps;
    private long polls;

    /**
     * @param framesWaiting whether the capture thread has queued frames the network thread has not
     *     taken yet (read after announcing the sleep, so none is left waiting for the timeout)
     * @param polling what to do when the transport cannot be waited on
     */
    NetworkIdleStrategy(Transport transport, SessionSignals signals, BooleanSupplier framesWaiting,
            BackoffIdleStrategy polling) {
        this.transport = transport;
        this.signals = signals;
        this.framesWaiting = framesWaiting;
        this.polling = polling;
        Selector opened = null;
        IOException cause = null;
        try {
            opened = Selector.open();
        } catch (IOException e) {
            cause = e;
        }
        this.selector = opened;
        this.unavailabilityCause = cause;
    }

    /**
     * Any thread: ends a sleep on the selector now (or makes the next one return at once). Does
     * nothing once the network thread has closed the selector (the session's end wakes it again then).
     */
    void wakeup() {
        if (selector != null && selector.isOpen()) {
            selector.wakeup();
        }
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            readyAndUnread = false;
            polling.reset();
            return;
        }
        // A socket the selector found readable and the duty cycle after it left unread would wake the
        // selector at once for ever: poll instead, so that such a transport costs what polling costs.
        if (readyAndUnread || selector == null || !selector.isOpen() || !transport.registerReads(selector)) {
            readyAndUnread = false;
            polls++;
            polling.idle(0);
            return;
        }
        signals.networkAsleep(true);
        try {
            if (framesWaiting.getAsBoolean() || !signals.isRunning()) {
                return;
            }
            sleeps++;
            readyAndUnread = selector.select(IGNORE_KEY, signals.isLinkUp() ? BUSY_MAX_SLEEP_MS : QUIET_MAX_SLEEP_MS) > 0;
        } catch (IOException | RuntimeException e) {
            polls++;
            polling.idle(0);
        } finally {
            signals.networkAsleep(false);
        }
    }

    @Override
    public void reset() {
        polling.reset();
    }

    @Override
    public void close() {
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                // Nothing was registered that closing could lose.
            }
        }
    }

    /** Why the selector could not be opened (then the thread polls), or null. */
    IOException unavailabilityCause() {
        return unavailabilityCause;
    }

    /** Sleeps taken on the selector (for tests; network thread, or after it ended). */
    long sleeps() {
        return sleeps;
    }

    /** Idle cycles that polled instead (for tests; network thread, or after it ended). */
    long polls() {
        return polls;
    }
}
