package dev.viz.audio;

import dev.viz.audio.internal.FrameClock;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.util.Arrays;

/**
 * Digital silence as a microphone ({@code silence}): endless zeros. A listen-only call sends almost
 * nothing with DTX on.
 *
 * <p>Paced by default (one frame per frame period, against a deadline clock that does not drift);
 * {@link #unpaced()} delivers frames as fast as the caller asks.
 *
 * <p>Threads: {@link #read} from one thread, {@link #close} from any (it wakes a paced read, which
 * then throws an {@link IOException}). Allocates nothing per read.
 */
public final class SilenceInput implements AudioDevice {
    private final boolean paced;
    private final FrameClock clock = new FrameClock(true);
    private volatile boolean open;
    private int channels;

    /** Paced silence. */
    public SilenceInput() {
        this(true);
    }

    private SilenceInput(boolean paced) {
        this.paced = paced;
    }

    /** Silence as fast as the caller asks. */
    public static SilenceInput unpaced() {
        return new SilenceInput(false);
    }

    @Override
    public String name() {
        return "silence";
    }

    public boolean isPaced() {
        return paced;
    }

    @Override
    public boolean supports(Direction direction) {
        return direction == Direction.INPUT;
    }

    /** @throws IOException for the output direction */
    @Override
    public void open(Direction direction, AudioFormat format) throws IOException {
        if (direction != Direction.INPUT) {
            throw new IOException("silence is an input; to discard what is played use the output null");
        }
        channels = format.channels();
        clock.start(format.sampleRateHz());
        open = true;
    }

    /** Capture thread. One frame of zeros; waits for its time when paced. */
    @Override
    public int read(short[] pcm, int offset, int samples) throws IOException {
        if (!open) {
            throw new IOException("silence is not open");
        }
        Arrays.fill(pcm, offset, offset + samples, (short) 0);
        if (paced && !clock.await(samples / channels)) {
            throw new IOException("silence was closed");
        }
        return samples;
    }

    /** @throws IOException always: this device is an input */
    @Override
    public void write(short[] pcm, int offset, int samples) throws IOException {
        throw new IOException("silence is an input");
    }

    @Override
    public long xruns() {
        return clock.xruns();
    }

    /** Wakes a paced read. Idempotent. */
    @Override
    public void close() {
        open = false;
        clock.stop();
    }

    @Override
    public String toString() {
        return paced ? "silence" : "silence (unpaced)";
    }
}
