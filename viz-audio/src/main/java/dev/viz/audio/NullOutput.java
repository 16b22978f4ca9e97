package dev.viz.audio;

/**
 * A speaker that plays nothing ({@code null}): discards every frame. For talk-only calls, servers
 * and tests.
 *
 * <p>Paced by default: each {@link #write} returns when the previous frame "has played", so the
 * call's playback runs in real time as with a real speaker; {@link #unpaced()} returns at once.
 *
 * <p>Threads: {@link #write} from one thread, {@link #close} from any (it wakes a paced write, which
 * then throws an {@link java.io.IOException}). Allocates nothing per write.
 */
public final class NullOutput extends PacedDevice {
    private volatile long samplesWritten;

    /** A paced null output. */
    public NullOutput() {
        this(true);
    }

    private NullOutput(boolean paced) {
        super("null", Direction.OUTPUT, paced, "for a silent input use silence");
    }

    /** A null output that never waits. */
    public static NullOutput unpaced() {
        return new NullOutput(false);
    }


    @Override
    protected void play(short[] pcm, int offset, int samples) {
        samplesWritten += samples;
    }

    /** Samples discarded so far (all channels), since construction. */
    public long samplesWritten() {
        return samplesWritten;
    }
}
