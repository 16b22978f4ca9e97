package dev.viz.audio.internal;

import java.io.Closeable;
import java.io.IOException;

/** A stream of interleaved signed 16-bit samples at a fixed rate and channel count. */
public interface PcmSource extends Closeable {

    /** Samples per channel per second. */
    int sampleRateHz();

    int channels();

    /**
     * Reads up to {@code samples} (a multiple of {@link #channels()}) into {@code dst[offset ..]}.
     *
     * @return samples read, a multiple of the channel count and above 0, or -1 at the end
     */
    int read(short[] dst, int offset, int samples) throws IOException;
}
