package dev.viz.audio.internal;

import java.io.InterruptedIOException;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces a file or synthetic device in real time, the way a sound card paces a microphone or a
 * speaker: {@link #await} blocks until the audio handed over so far is due. Deadlines are computed
 * from the first call and the number of samples since (not by sleeping a period after each call),
 * so the clock does not drift however long the call and however late each wake-up.
 *
 * <p>An input clock releases each block when it has "been recorded" (the first block after one
 * period); an output clock accepts a block at once and blocks the next one until the previous one
 * "has been played". When the caller falls behind by more than {@link #MAX_LAG_NS}, the clock
 * counts an xrun and starts again from now instead of rushing to catch up.
 *
 * <p>Threads: {@link #await} from the device's one reading or writing thread; {@link #stop} from
 * any thread, and it wakes a thread blocked in {@link #await}. Allocates nothing.
 */
public final class FrameClock {
    /** How far behind the caller may fall before the clock gives up catching up: 200 ms. */
    public static final long MAX_LAG_NS = 200_000_000L;

    private final boolean input;
    private int sampleRateHz;
    private boolean started;
    private long originNs;
    private long samplesSinceOrigin;
    private volatile long xruns;
    private volatile boolean stopped = true;
    private volatile Thread waiter;

    /** @param input true for a microphone-like clock, false for a speaker-like one */
    public FrameClock(boolean input) {
        this.input = input;
    }

    /** Starts afresh at {@code sampleRateHz} (samples per channel per second); the first await sets time zero. */
    public void start(int sampleRateHz) {
        this.sampleRateHz = sampleRateHz;
        this.started = false;
        this.samplesSinceOrigin = 0;
        this.stopped = false;
    }

    /**
     * Blocks until a block of {@code samplesPerChannel} is due.
     *
     * @return true when due, false when {@link #stop} was called (before or during the wait)
     * @throws InterruptedIOException when the waiting thread is interrupted (its flag stays set)
     */
    public boolean await(int samplesPerChannel) throws InterruptedIOException {
        long nowNs = System.nanoTime();
        if (!started) {
            started = true;
            originNs = nowNs;
            samplesSinceOrigin = 0;
        }
        long dueNs;
        if (input) {
            samplesSinceOrigin += samplesPerChannel;
            dueNs = originNs + samplesToNs(samplesSinceOrigin);
        } else {
            dueNs = originNs + samplesToNs(samplesSinceOrigin);
            samplesSinceOrigin += samplesPerChannel;
        }
        if (nowNs - dueNs > MAX_LAG_NS) {
            xruns++;
            originNs = nowNs - (input ? samplesToNs(samplesPerChannel) : 0);
            samplesSinceOrigin = samplesPerChannel;
            return !stopped;
        }
        waiter = Thread.currentThread();
        try {
            while (!stopped) {
                long waitNs = dueNs - System.nanoTime();
                if (waitNs <= 0) {
                    return true;
                }
                LockSupport.parkNanos(this, waitNs);
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while pacing audio");
                }
            }
            return false;
        } finally {
            waiter = null;
        }
    }

    /** Any thread: makes {@link #await} return false, now and until the next {@link #start}. */
    public void stop() {
        stopped = true;
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Times the caller fell more than {@link #MAX_LAG_NS} behind. */
    public long xruns() {
        return xruns;
    }

    private long samplesToNs(long samples) {
        return samples / sampleRateHz * 1_000_000_000L + samples % sampleRateHz * 1_000_000_000L / sampleRateHz;
    }
}
