package dev.viz.core.internal;

import dev.viz.core.Stat;
import dev.viz.core.Transport;

/**
 * What the transport tells the session, on the network thread: handed to {@link Transport#open}
 * and turned into state moves, listener calls and counts through {@link Lifecycle}.
 */
final class LinkEvents implements Transport.Events {
    private final Lifecycle lifecycle;
    private final Counters counters;
    /** Network thread: the transport lost its path and the session moved to RECONNECTING. */
    boolean reconnecting;

    LinkEvents(Lifecycle lifecycle, Counters counters) {
        this.lifecycle = lifecycle;
        this.counters = counters;
    }

    @Override
    public void onReady(String peer) {
        lifecycle.peerChanged(peer);
    }

    @Override
    public void onNotReady(String reason) {
        reconnecting |= lifecycle.reconnecting(reason);
    }

    @Override
    public void onPeerMoved(String peer) {
        lifecycle.peerChanged(peer);
    }

    @Override
    public void onSecured(String peerFingerprint, String verificationCode) {
        lifecycle.secured(peerFingerprint, verificationCode);
    }

    @Override
    public void onFailed(String reason) {
        lifecycle.fail(reason, null);
    }

    @Override
    public void onWarning(String message) {
        lifecycle.error(message, null);
    }

    @Override
    public void onRejected(Transport.Rejection why) {
        counters.increment(Stat.DATAGRAMS_REJECTED);
        counters.increment(Stat.of(why));
    }
}
