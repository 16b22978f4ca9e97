package dev.viz.core.internal;

import dev.viz.core.Stat;

/**
 * The liveness of the link, on the network thread's clock: contact attempts (a keepalive every
 * {@value #HELLO_INTERVAL_NS} ns until the peer answers), the first answer (the call is connected:
 * devices may open, reports start), the idle timeout, the duration limit, and keepalives when
 * nothing else went out. It learns that the peer is alive from the {@link Receiver}'s last valid
 * payload, read once a duty cycle, so nothing on a frame's path calls it. Network thread only.
 */
final class LinkTimers {
    /** Contact attempts while the peer has not answered yet. */
    private static final long HELLO_INTERVAL_NS = 250_000_000L;

    private final Receiver receiver;
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
    private long lastHeardNs = Receiver.NEVER;

    LinkTimers(Receiver receiver, LinkEvents events, Reports reports, Sender sender, Lifecycle lifecycle,
            SessionSignals signals, Counters counters, long idleTimeoutNs, long keepaliveIntervalNs, long durationNs) {
        this.receiver = receiver;
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
        sender.lastSendNs = nowNs - HELLO_INTERVAL_NS;
    }

    /** A valid payload came from the peer at {@code nowNs}. */
    private void onHeard(long nowNs) {
        lastReceiveNs = nowNs;
        if (!connected) {
            connected = true;
            connectedAtNs = nowNs;
            reports.start(nowNs);
            signals.linkUp();
            lifecycle.connected();
            sender.sendKeepalive(nowNs);
        } else if (events.reconnecting) {
            events.reconnecting = false;
            lifecycle.connected();
        }
    }

    int poll(long nowNs) {
        long heardNs = receiver.lastValidPayloadNs();
        if (heardNs != lastHeardNs) {
            lastHeardNs = heardNs;
            onHeard(heardNs);
        }
        if (!connected) {
            if (sender.transport.isReady() && nowNs - sender.lastSendNs >= HELLO_INTERVAL_NS) {
                sender.sendKeepalive(nowNs);
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
        int work = 0;
        if (reports.poll(nowNs)) {
            sender.reportDue(nowNs);
            work++;
        }
        if (sender.sendOverdueReport(nowNs)) {
            work++;
        }
        if (nowNs - sender.lastSendNs >= keepaliveIntervalNs) {
            sender.sendKeepalive(nowNs);
            work++;
        }
        return work;
    }
}
