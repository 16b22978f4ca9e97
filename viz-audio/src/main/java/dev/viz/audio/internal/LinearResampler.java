package dev.viz.audio.internal;

import java.io.IOException;

/**
 * Converts a {@link PcmSource} to another rate and channel count: channels are mixed first (to mono
 * by averaging all channels; to stereo by duplicating mono or taking the first two channels), then
 * the rate is changed by linear interpolation between neighbouring samples, with an exact integer
 * phase so nothing drifts.
 *
 * <p>Linear interpolation is fine for speech when raising the rate (44.1 kHz to 48 kHz). Lowering
 * it (96 kHz to 48 kHz) filters nothing out first, so content above the new Nyquist frequency would
 * fold back; speech recordings have almost none. Used only where Java Sound cannot convert a file
 * itself. Allocates nothing per read.
 */
public final class LinearResampler implements PcmSource {
    private static final int BLOCK_FRAMES = 1024;

    private final PcmSource source;
    private final int srcRate;
    private final int srcChannels;
    private final int dstRate;
    private final int dstChannels;
    private final short[] block;
    private int blockSamples;
    private int blockPos;
    /** Interpolation phase, in units of 1/dstRate of an input sample. */
    private long phase;
    private final int[] previous;
    private final int[] next;
    private boolean primed;
    private boolean ended;

    /** Converts {@code source} to {@code dstRate} Hz with {@code dstChannels} (1 or 2) channels. */
    public LinearResampler(PcmSource source, int dstRate, int dstChannels) {
        if (dstChannels != 1 && dstChannels != 2) {
            throw new IllegalArgumentException("channels " + dstChannels + ": use 1 or 2");
        }
        this.source = source;
        this.srcRate = source.sampleRateHz();
        this.srcChannels = source.channels();
        this.dstRate = dstRate;
        this.dstChannels = dstChannels;
        this.block = new short[BLOCK_FRAMES * srcChannels];
        this.previous = new int[dstChannels];
        this.next = new int[dstChannels];
    }

    @Override
    public int sampleRateHz() {
        return dstRate;
    }

    @Override
    public int channels() {
        return dstChannels;
    }

    @Override
    public int read(short[] dst, int offset, int samples) throws IOException {
        if (!primed) {
            primed = true;
            ended = !nextFrame(previous) || !nextFrame(next);
        }
        int frames = samples / dstChannels;
        int written = 0;
        while (written < frames && !ended) {
            for (int c = 0; c < dstChannels; c++) {
                long value = previous[c] + (next[c] - previous[c]) * phase / dstRate;
                dst[offset + written * dstChannels + c] = (short) value;
            }
            written++;
            phase += srcRate;
            while (phase >= dstRate && !ended) {
                phase -= dstRate;
                System.arraycopy(next, 0, previous, 0, dstChannels);
                ended = !nextFrame(next);
            }
        }
        return written == 0 ? -1 : written * dstChannels;
    }

    /** The next input frame, mixed to the output channels; false at the end of the input. */
    private boolean nextFrame(int[] frame) throws IOException {
        if (blockPos >= blockSamples) {
            blockSamples = source.read(block, 0, block.length);
            blockPos = 0;
            if (blockSamples <= 0) {
                blockSamples = 0;
                return false;
            }
        }
        int at = blockPos;
        blockPos += srcChannels;
        if (dstChannels == 1) {
            int sum = 0;
            for (int c = 0; c < srcChannels; c++) {
                sum += block[at + c];
            }
            frame[0] = sum / srcChannels;
        } else if (srcChannels == 1) {
            frame[0] = block[at];
            frame[1] = block[at];
        } else {
            frame[0] = block[at];
            frame[1] = block[at + 1];
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
