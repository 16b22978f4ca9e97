package dev.viz.core.internal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The control signals between a session's threads, each with one writer, published with volatile
 * writes and read once per duty cycle. This is the whole of what the agents tell each other outside
 * the frame queues; nothing here calls back into anything.
 *
 * <table>
 *   <caption>Signals</caption>
 *   <tr><th>signal</th><th>written by</th><th>read by</th></tr>
 *   <tr><td>{@link #end end} (running, reason)</td><td>any thread, first reason wins</td><td>every runner's loop</td></tr>
 *   <tr><td>{@link #linkUp linkUp}</td><td>network (first valid payload)</td><td>capture, playback (open the devices)</td></tr>
 *   <tr><td>{@link #warm warm}</td><td>capture (encoders warmed up)</td><td>playback (may start playout)</td></tr>
 *   <tr><td>{@link #peerSaidBye peerSaidBye}</td><td>network (a bye arrived)</td><td>playback (ends once it has played up to the bye), network (sends no bye back)</td></tr>
 * </table>
 *
 * A bye from this side is not a signal: the network agent sends it in its {@code onClose}.
 */
final class SessionSignals {
    private final AtomicReference<String> endReason = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile boolean linkUp;
    private volatile boolean warm;
    private volatile boolean peerSaidBye;
    private volatile long peerLastSequence;

    /** Any thread: ends the session; the first reason given is the one kept. Returns whether this call set it. */
    boolean end(String reason) {
        boolean first = endReason.compareAndSet(null, reason);
        running = false;
        return first;
    }

    boolean isRunning() {
        return running;
    }

    /** The reason given to the first {@link #end}, or null. */
    String endReason() {
        return endReason.get();
    }

    /** Network thread: a valid payload came from the peer; the devices may open. */
    void linkUp() {
        linkUp = true;
    }

    boolean isLinkUp() {
        return linkUp;
    }

    /** Capture thread: the encoders are warm. */
    void warm() {
        warm = true;
    }

    boolean isWarm() {
        return warm;
    }

    /** Network thread: the peer said bye after its frame {@code lastSequence}. */
    void peerSaidBye(long lastSequence) {
        peerLastSequence = lastSequence;
        peerSaidBye = true;
    }

    boolean hasPeerSaidBye() {
        return peerSaidBye;
    }

    /** The last sequence number the peer sent; valid once {@link #hasPeerSaidBye}. */
    long peerLastSequence() {
        return peerLastSequence;
    }
}
