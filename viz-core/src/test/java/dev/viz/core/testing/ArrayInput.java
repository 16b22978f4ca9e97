package dev.viz.core.testing;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;

/**
 * An unpaced input device over an array of samples, for simulated-clock tests: each read returns
 * the next frame at once (the test's clock decides when a read happens). Loops or ends with the
 * array. Allocates nothing after construction.
 */
public final class ArrayInput implements AudioDevice {
    private final short[] samples;
    private final boolean loop;
    private int position;

    public ArrayInput(short[] samples, boolean loop) {
        this.samples = samples;
        this.loop = loop;
    }

    @Override
    public String name() {
        return "array input";
    }

    @Override
    public boolean supports(Direction direction) {
        return direction == Direction.INPUT;
    }

    @Override
    public void open(Direction direction, AudioFormat format) {
    }

    @Override
    public int read(short[] pcm, int offset, int count) {
        if (!loop && position + count > samples.length) {
            return END_OF_STREAM;
        }
        for (int i = 0; i < count; i++) {
            if (position >= samples.length) {
                position = 0;
            }
            pcm[offset + i] = samples[position++];
        }
        return count;
    }

    @Override
    public void write(short[] pcm, int offset, int count) {
        throw new UnsupportedOperationException("an input");
    }

    @Override
    public void close() {
    }
}
