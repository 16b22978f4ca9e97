package dev.viz.examples;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;

/**
 * An input device wrapped the way an application adds a mute button and a microphone level meter
 * without touching the session: it passes every frame through, replaced by silence while muted, and
 * keeps the level of the last frame it read (before muting, so the meter shows the user is heard by
 * the microphone but not sent).
 *
 * <p>{@link #read} runs on the session's capture thread and allocates nothing; {@link #setMuted}
 * and {@link #levelDbfs()} may be called from any thread (the user interface's).
 */
public final class MuteSwitch implements AudioDevice {
    private final AudioDevice input;
    private volatile boolean muted;
    private volatile double levelDbfs = -96.0;

    public MuteSwitch(AudioDevice input) {
        this.input = input;
    }

    /** Any thread: silence goes out while {@code muted}. */
    public void setMuted(boolean muted) {
        this.muted = muted;
    }

    public boolean isMuted() {
        return muted;
    }

    /** Any thread: the RMS level of the last frame captured, dBFS (-96 for digital silence). */
    public double levelDbfs() {
        return levelDbfs;
    }

    @Override
    public String name() {
        return input.name();
    }

    @Override
    public boolean supports(Direction direction) {
        return direction == Direction.INPUT && input.supports(direction);
    }

    @Override
    public void open(Direction direction, AudioFormat format) throws IOException {
        input.open(direction, format);
    }

    /** Capture thread. */
    @Override
    public int read(short[] pcm, int offset, int samples) throws IOException {
        int n = input.read(pcm, offset, samples);
        if (n <= 0) {
            return n;
        }
        double sum = 0;
        for (int i = offset; i < offset + n; i++) {
            sum += (double) pcm[i] * pcm[i];
        }
        double rms = Math.sqrt(sum / n) / 32768.0;
        levelDbfs = rms > 1.6e-5 ? 20 * Math.log10(rms) : -96.0;
        if (muted) {
            java.util.Arrays.fill(pcm, offset, offset + n, (short) 0);
        }
        return n;
    }

    @Override
    public void write(short[] pcm, int offset, int samples) {
        throw new UnsupportedOperationException("an input");
    }

    @Override
    public long xruns() {
        return input.xruns();
    }

    @Override
    public void close() {
        input.close();
    }
}
