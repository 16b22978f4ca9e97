package dev.viz.core.internal;

import dev.viz.core.Stat;

/**
 * The liveness of the link, on the network thread's clock: contact attempts (a keepalive every
 * {@value #HELLO_INTERVAL_NS} ns until the peer answers), the first answer (the call is connected:
 * devices may open, reports start), the idle timeout, the duration limit, and keepalives when
 * nothing else went out. Network thread only.
 */
final class LinkTimers {
    /** Contact attempts while the peer has not answered yet. */
    private static final long HELLO_INTERVAL_NS = 250_000_000L;

    private final Link link;
    private final Reports reports;
    private final Sender sender;
    private final Lifecycle lifecycle;
    private final SessionSignals signals;
    private final Counters counters;
    private final long idleTimeoutNs;
    private final long keepaliveIntervalNs;
    private final long durationNs;
    private final LinkEvents events;
    private boolean connected;
    private long connectedAtNs;
    private long lastReceiveNs;

    LinkTimers(Link link, LinkEvents events, Reports reports, Sender sender, Lifecycle lifecycle,
            SessionSignals signals, Counters counters, long idleTimeoutNs, long keepaliveIntervalNs, long durationNs) {
        this.link = link;
        this.events = events;
        this.reports = reports;
        this.sender = sender;
        this.lifecycle = lifecycle;
        this.signals = signals;
        this.counters = counters;
        this.idleTimeoutNs = idleTimeoutNs;
        this.keepaliveIntervalNs = keepaliveIntervalNs;
        this.durationNs = durationNs;
    }

    /** Starts the timers; once, before the first {@link #poll}. */
    void begin(long nowNs) {
        lastReceiveNs = nowNs;
        link.lastSendNs = nowNs - HELLO_INTERVAL_NS;
    }

    /** Whether the peer has answered (read on the network thread by its idle strategy). */
    boolean isConnected() {
        return connected;
    }

    /** A valid payload came from the peer. */
    void onValidPayload(long nowNs) {
        lastReceiveNs = nowNs;
        if (!connected) {
            connected = true;
            connectedAtNs = nowNs;
            reports.start(nowNs);
            signals.linkUp();
            lifecycle.connected();
            link.sendKeepalive(nowNs);
        } else if (events.reconnecting) {
            events.reconnecting = false;
            lifecycle.connected();
        }
    }

    int poll(long nowNs) {
        if (!connected) {
            if (link.transport.isReady() && nowNs - link.lastSendNs >= HELLO_INTERVAL_NS) {
                link.sendKeepalive(nowNs);
                return 1;
            }
            return 0;
        }
        if (nowNs - lastReceiveNs >= idleTimeoutNs) {
            signals.end("nothing from the peer for " + idleTimeoutNs / 1_000_000_000L + " s");
            return 1;
        }
        if (durationNs > 0 && nowNs - connectedAtNs >= durationNs) {
            sender.flush(nowNs);
            signals.end("duration reached");
            return 1;
        }
        counters.set(Stat.CONNECTED_NS, nowNs - connectedAtNs);
        int work = reports.poll(nowNs);
        if (nowNs - link.lastSendNs >= keepaliveIntervalNs) {
            link.sendKeepalive(nowNs);
            work++;
        }
        return work;
    }
}
