package dev.viz.core.internal;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

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
 *   <tr><td>{@link #encoderControl encoder control} (expected loss, bitrate, copies per batch)</td><td>network (what the peer's reports decided)</td><td>capture (applied between two frames), network (the sender attaches that many copies)</td></tr>
 *   <tr><td>{@link #mute mute}</td><td>any thread ({@code VoiceSession.mute})</td><td>capture (once a frame)</td></tr>
 *   <tr><td>{@link #outputGain(double) output gain}</td><td>any thread ({@code VoiceSession.outputGain})</td><td>playback (once a chunk)</td></tr>
 * </table>
 *
 * Each value is a plain volatile field: the last write wins, and the reader sees it at its next
 * frame.
 *
 * A bye from this side is not a signal: the network agent sends it in its {@code onClose}.
 *
 * <p>Two signals also wake the session's threads ({@link #wakeOnLinkUpAndEnd}): {@code linkUp} and
 * {@code end} unpark them, so a thread waiting for the link parks long (a listener waiting for a call
 * costs next to nothing) and still opens its device, or exits, at once. An unpark that comes before
 * the park is not lost: the park returns at once.
 *
 * <p>The network thread may instead sleep on its selector ({@link NetworkIdleStrategy}); a park's
 * unpark does not reach it there. It says so with {@link #networkAsleep}, and the capture thread,
 * having queued a frame, calls {@link #wakeNetwork}, which wakes the selector only while the network
 * thread sleeps; {@code end} wakes it always.
 */
final class SessionSignals {
    /** The highest output gain: +12 dB. Anything louder only clips. */
    static final double MAX_OUTPUT_GAIN = 4.0;

    private final AtomicReference<String> endReason = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile boolean linkUp;
    private volatile boolean warm;
    private volatile boolean peerSaidBye;
    private volatile long peerLastSequence;
    private volatile int expectLossPercent;
    private volatile int bitrateBps;
    private volatile int copiesPerBatch;
    private volatile boolean muted;
    private volatile float outputGain = 1.0f;
    private volatile Thread[] wakeOnLinkUpAndEnd = new Thread[0];
    private volatile boolean networkAsleep;
    private volatile Runnable networkWaker = () -> { };

    /** Starting thread, before the threads start: these are unparked when the link comes up and when the session ends (the array is kept). */
    void wakeOnLinkUpAndEnd(Thread... threads) {
        wakeOnLinkUpAndEnd = threads;
    }

    private void wake() {
        for (Thread thread : wakeOnLinkUpAndEnd) {
            LockSupport.unpark(thread);
        }
    }

    /** Starting thread, before the threads start: wakes the network thread from its selector. */
    void networkWaker(Runnable waker) {
        networkWaker = waker;
    }

    /**
     * Network thread: {@code true} just before it sleeps on its selector (it then looks at the frame
     * queue once more), {@code false} once awake.
     */
    void networkAsleep(boolean asleep) {
        networkAsleep = asleep;
    }

    /**
     * Capture thread, after it queued a frame: wakes the network thread if it sleeps on its selector.
     * The fence orders the queue's store before the read of {@code networkAsleep}, as the network
     * thread's volatile write of it is ordered before its look at the queue: one of the two threads
     * sees the other, so no frame waits for the selector's timeout. Allocation-free; the wake is one
     * system call, and only when the network thread sleeps.
     */
    void wakeNetwork() {
        VarHandle.fullFence();
        if (networkAsleep) {
            networkWaker.run();
        }
    }

    /** Any thread: ends the session; the first reason given is the one kept. Returns whether this call set it. */
    boolean end(String reason) {
        boolean first = endReason.compareAndSet(null, reason);
        running = false;
        wake();
        networkWaker.run();
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
        boolean was = linkUp;
        linkUp = true;
        if (!was) {
            wake();
        }
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

    /**
     * Network thread: what the peer's reports decided for the encoders.
     *
     * @param expectLossPercent the loss the encoder should expect, percent (0: none, in-band FEC off)
     * @param bitrateBps the bitrate the encoder should run at; 0 leaves it as configured
     * @param copiesPerBatch copies of earlier frames each batch carries; above 0 the capture thread
     *     encodes a redundant low-bitrate copy of each frame
     */
    void encoderControl(int expectLossPercent, int bitrateBps, int copiesPerBatch) {
        this.expectLossPercent = expectLossPercent;
        this.bitrateBps = bitrateBps;
        this.copiesPerBatch = copiesPerBatch;
    }

    /** Capture thread, once a frame. */
    int expectLossPercent() {
        return expectLossPercent;
    }

    /** Capture thread, once a frame; 0 leaves the bitrate as configured. */
    int bitrateBps() {
        return bitrateBps;
    }

    /** Capture thread, once a frame (encode copies while above 0); network thread, once a batch. */
    int copiesPerBatch() {
        return copiesPerBatch;
    }

    /** Any thread. */
    void mute(boolean muted) {
        this.muted = muted;
    }

    /** Any thread; the capture thread reads it once a frame. */
    boolean isMuted() {
        return muted;
    }

    /**
     * Any thread. Clamped to [0, {@link #MAX_OUTPUT_GAIN}]; NaN is refused.
     *
     * @throws IllegalArgumentException when {@code gain} is NaN
     */
    void outputGain(double gain) {
        if (Double.isNaN(gain)) {
            throw new IllegalArgumentException("output gain is NaN");
        }
        this.outputGain = (float) Math.max(0.0, Math.min(MAX_OUTPUT_GAIN, gain));
    }

    /** Any thread; the playback thread reads it once a chunk. */
    float outputGain() {
        return outputGain;
    }
}
