package dev.viz.audio.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open native stream (a PortAudio stream, a PulseAudio connection) and who may release it: the
 * device's I/O thread wraps every blocking read or write in {@link #enter()} and {@link #exit()};
 * {@link #requestClose()} may come from any thread, and a close that arrives while the I/O thread is
 * inside a call leaves the release to that thread when the call returns. So a native stream is never
 * freed while in use, and the I/O path takes no lock.
 *
 * <p>States: IDLE, BUSY (inside a read or write), CLOSE_PENDING (closed while busy) and CLOSED.
 * {@link #release()} runs exactly once.
 */
public abstract class StreamGuard {
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSE_PENDING = 2;
    private static final int CLOSED = 3;

    private final AtomicInteger state = new AtomicInteger(IDLE);

    /** I/O thread: before a read or write; false when the stream was closed (do not touch it). */
    public final boolean enter() {
        return state.compareAndSet(IDLE, BUSY);
    }

    /** I/O thread: after a read or write; releases the stream when a close came meanwhile. */
    public final void exit() {
        if (!state.compareAndSet(BUSY, IDLE)) {
            state.set(CLOSED);
            release();
        }
    }

    /** Any thread: releases the stream now, or when the read or write in progress returns. Idempotent. */
    public final void requestClose() {
        while (true) {
            int s = state.get();
            if (s == IDLE && state.compareAndSet(IDLE, CLOSED)) {
                release();
                return;
            }
            if (s == BUSY && state.compareAndSet(BUSY, CLOSE_PENDING)) {
                return;
            }
            if (s == CLOSE_PENDING || s == CLOSED) {
                return;
            }
        }
    }

    /** Frees the native stream; called once, on the thread that closed it or on the I/O thread. */
    protected abstract void release();
}
