package dev.viz.core.internal;

/**
 * What the application may change while a call runs: mute and the output gain. Written by any
 * thread ({@code VoiceSession.mute}, {@code outputGain}); read once a frame, without a lock, by the
 * capture thread (mute) and the playback thread (gain). Both are plain volatile fields: the last
 * write wins, and the reader sees it at its next frame.
 */
final class AudioControls {
    /** The highest output gain: +12 dB. Anything louder only clips. */
    static final double MAX_OUTPUT_GAIN = 4.0;

    private volatile boolean muted;
    private volatile float outputGain = 1.0f;

    /** Any thread. */
    void mute(boolean muted) {
        this.muted = muted;
    }

    /** Any thread; the capture thread reads it once a frame. */
    boolean isMuted() {
        return muted;
    }

    /**
     * Any thread. Clamped to [0, {@link #MAX_OUTPUT_GAIN}]; NaN is refused.
     *
     * @throws IllegalArgumentException when {@code gain} is NaN
     */
    void outputGain(double gain) {
        if (Double.isNaN(gain)) {
            throw new IllegalArgumentException("output gain is NaN");
        }
        this.outputGain = (float) Math.max(0.0, Math.min(MAX_OUTPUT_GAIN, gain));
    }

    /** Any thread; the playback thread reads it once a chunk. */
    double outputGain() {
        return outputGain;
    }

    float outputGainFloat() {
        return outputGain;
    }
}
