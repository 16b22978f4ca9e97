package dev.viz.audio;

import dev.viz.audio.internal.FrameClock;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;

/**
 * A speaker that plays nothing ({@code null}): discards every frame. For talk-only calls, servers
 * and tests.
 *
 * <p>Paced by default: each {@link #write} returns when the previous frame "has played", so the
 * call's playback runs in real time as with a real speaker; {@link #unpaced()} returns at once.
 *
 * <p>Threads: {@link #write} from one thread, {@link #close} from any (it wakes a paced write, which
 * then throws an {@link IOException}). Allocates nothing per write.
 */
public final class NullOutput implements AudioDevice {
    private final boolean paced;
    private final FrameClock clock = new FrameClock(false);
    private volatile boolean open;
    private int channels;
    private volatile long samplesWritten;

    /** A paced null output. */
    public NullOutput() {
        this(true);
    }

    private NullOutput(boolean paced) {
        this.paced = paced;
    }

    /** A null output that never waits. */
    public static NullOutput unpaced() {
        return new NullOutput(false);
    }

    @Override
    public String name() {
        return "null";
    }

    public boolean isPaced() {
        return paced;
    }

    @Override
    public boolean supports(Direction direction) {
        return direction == Direction.OUTPUT;
    }

    /** @throws IOException for the input direction */
    @Override
    public void open(Direction direction, AudioFormat format) throws IOException {
        if (direction != Direction.OUTPUT) {
            throw new IOException("null is an output; for a silent input use silence");
        }
        channels = format.channels();
        clock.start(format.sampleRateHz());
        open = true;
    }

    @Override
    public int read(short[] pcm, int offset, int samples) throws IOException {
        throw new IOException("null is an output");
    }

    /** Playback thread. Discards the frame after waiting for the previous one to "play" when paced. */
    @Override
    public void write(short[] pcm, int offset, int samples) throws IOException {
        if (!open) {
            throw new IOException("null is not open");
        }
        if (paced && !clock.await(samples / channels)) {
            throw new IOException("null was closed");
        }
        samplesWritten += samples;
    }

    /** Samples discarded so far (all channels), since construction. */
    public long samplesWritten() {
        return samplesWritten;
    }

    @Override
    public long xruns() {
        return clock.xruns();
    }

    /** Wakes a paced write. Idempotent. */
    @Override
    public void close() {
        open = false;
        clock.stop();
    }

    @Override
    public String toString() {
        return paced ? "null" : "null (unpaced)";
    }
}
