package dev.viz.core.testing;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;

/**
 * An unpaced output device that records what is played into a pre-sized array (what does not fit
 * is counted, not kept), for simulated-clock tests. Allocates nothing after construction.
 */
public final class ArrayOutput implements AudioDevice {
    private final short[] recorded;
    private int length;
    private long overflow;

    /** Keeps up to {@code capacitySamples} samples. */
    public ArrayOutput(int capacitySamples) {
        this.recorded = new short[capacitySamples];
    }

    @Override
    public String name() {
        return "array output";
    }

    @Override
    public boolean supports(Direction direction) {
        return direction == Direction.OUTPUT;
    }

    @Override
    public void open(Direction direction, AudioFormat format) {
    }

    @Override
    public int read(short[] pcm, int offset, int count) {
        throw new UnsupportedOperationException("an output");
    }

    @Override
    public void write(short[] pcm, int offset, int count) {
        int kept = Math.min(count, recorded.length - length);
        System.arraycopy(pcm, offset, recorded, length, kept);
        length += kept;
        overflow += count - kept;
    }

    /** Samples recorded so far. */
    public int length() {
        return length;
    }

    /** Samples played but not kept (the array was full). */
    public long overflow() {
        return overflow;
    }

    /** Copies {@code count} samples, starting {@code back} samples before the end of what was kept, to {@code dst[at ..]}. */
    public void copyRecent(int back, int count, short[] dst, int at) {
        System.arraycopy(recorded, length - back, dst, at, count);
    }

    /** A copy of what was recorded. */
    public short[] recorded() {
        return java.util.Arrays.copyOf(recorded, length);
    }

    @Override
    public void close() {
    }
}
