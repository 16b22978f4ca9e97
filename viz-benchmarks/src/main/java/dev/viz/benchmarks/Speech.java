package dev.viz.benchmarks;

import dev.viz.core.AudioFormat;
import dev.viz.core.testing.TestAudio;

/** The test speech from viz-core's test-jar, cut into frames that a benchmark cycles through. */
public final class Speech {
    public static final AudioFormat FORMAT = AudioFormat.mono48k(40);

    private final short[] samples;
    private final int frames;
    private int next;

    public Speech(String resource) {
        short[] all = TestAudio.samples(resource);
        this.frames = all.length / FORMAT.frameSamples();
        this.samples = all;
    }

    /** The 10 s continuous speech clip. */
    public static Speech continuous() {
        return new Speech(TestAudio.SPEECH);
    }

    /** The 12 s clip with silent gaps. */
    public static Speech withGaps() {
        return new Speech(TestAudio.SPEECH_WITH_GAPS);
    }

    public short[] samples() {
        return samples;
    }

    public int frames() {
        return frames;
    }

    /** The offset in {@link #samples()} of the next frame, wrapping around at the end. */
    public int nextFrameOffset() {
        int offset = next * FORMAT.frameSamples();
        next = next + 1 == frames ? 0 : next + 1;
        return offset;
    }
}
