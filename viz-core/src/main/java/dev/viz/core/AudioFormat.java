package dev.viz.core;

/**
 * The PCM format a session runs at: signed 16-bit samples, interleaved when there is more than one
 * channel, cut into frames of a fixed duration. Immutable.
 *
 * <p>Viz's default is 48 kHz mono with 40 ms frames (1920 samples per frame).
 */
public final class AudioFormat {
    /** Opus accepts these frame durations; so does Viz. */
    private static final int[] VALID_FRAME_MS = {10, 20, 40, 60};

    private final int sampleRateHz;
    private final int channels;
    private final int frameMs;

    private AudioFormat(int sampleRateHz, int channels, int frameMs) {
        this.sampleRateHz = sampleRateHz;
        this.channels = channels;
        this.frameMs = frameMs;
    }

    /**
     * @param sampleRateHz 8000, 12000, 16000, 24000 or 48000 (the rates Opus runs at)
     * @param channels 1 or 2
     * @param frameMs 10, 20, 40 or 60
     * @throws IllegalArgumentException on any other value, naming the valid ones
     */
    public static AudioFormat of(int sampleRateHz, int channels, int frameMs) {
        if (sampleRateHz != 8000 && sampleRateHz != 12000 && sampleRateHz != 16000
                && sampleRateHz != 24000 && sampleRateHz != 48000) {
            throw new IllegalArgumentException(
                    "sample rate " + sampleRateHz + " Hz: use 8000, 12000, 16000, 24000 or 48000");
        }
        if (channels != 1 && channels != 2) {
            throw new IllegalArgumentException("channels " + channels + ": use 1 or 2");
        }
        if (!isValidFrameMs(frameMs)) {
            throw new IllegalArgumentException("frame " + frameMs + " ms: use 10, 20, 40 or 60");
        }
        return new AudioFormat(sampleRateHz, channels, frameMs);
    }

    /** 48 kHz mono with frames of {@code frameMs}. */
    public static AudioFormat mono48k(int frameMs) {
        return of(48_000, 1, frameMs);
    }

    public static boolean isValidFrameMs(int frameMs) {
        for (int valid : VALID_FRAME_MS) {
            if (valid == frameMs) {
                return true;
            }
        }
        return false;
    }

    public int sampleRateHz() {
        return sampleRateHz;
    }

    public int channels() {
        return channels;
    }

    public int frameMs() {
        return frameMs;
    }

    /** Samples per channel in one frame (1920 at 48 kHz, 40 ms). */
    public int frameSamplesPerChannel() {
        return sampleRateHz / 1000 * frameMs;
    }

    /** Length of one frame's {@code short[]} (samples per channel times channels). */
    public int frameSamples() {
        return frameSamplesPerChannel() * channels;
    }

    public long frameNs() {
        return frameMs * 1_000_000L;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AudioFormat f
                && f.sampleRateHz == sampleRateHz && f.channels == channels && f.frameMs == frameMs;
    }

    @Override
    public int hashCode() {
        return (sampleRateHz * 31 + channels) * 31 + frameMs;
    }

    @Override
    public String toString() {
        return sampleRateHz + " Hz, " + (channels == 1 ? "mono" : channels + " channels") + ", " + frameMs + " ms frames";
    }
}
