package dev.viz.audio;

import java.util.Arrays;

/**
 * Digital silence as a microphone ({@code silence}): endless zeros. A listen-only call sends almost
 * nothing with DTX on.
 *
 * <p>Paced by default (one frame per frame period, against a deadline clock that does not drift);
 * {@link #unpaced()} delivers frames as fast as the caller asks.
 *
 * <p>Threads: {@link #read} from one thread, {@link #close} from any (it wakes a paced read, which
 * then throws an {@link java.io.IOException}). Allocates nothing per read.
 */
public final class SilenceInput extends PacedDevice {
    /** Paced silence. */
    public SilenceInput() {
        this(true);
    }

    private SilenceInput(boolean paced) {
        super("silence", Direction.INPUT, paced, "to discard what is played use the output null");
    }

    /** Silence as fast as the caller asks. */
    public static SilenceInput unpaced() {
        return new SilenceInput(false);
    }


    @Override
    protected int fill(short[] pcm, int offset, int samples) {
        Arrays.fill(pcm, offset, offset + samples, (short) 0);
        return samples;
    }
}
