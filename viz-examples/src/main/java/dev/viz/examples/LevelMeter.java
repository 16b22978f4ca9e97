package dev.viz.examples;

import dev.viz.core.AudioFormat;
import dev.viz.core.AudioProcessor;

/**
 * An {@link AudioProcessor} that changes nothing and measures the loudest frame each way: what the
 * microphone captured (on the capture thread) and what the speaker played (on the playback
 * thread). It shows where a processor sits and which thread calls what; an echo canceller has the
 * same shape, with the played samples as its reference.
 *
 * <pre>{@code
 * VoiceSession call = VoiceSession.builder()
 *         .transport(UdpTransport.connect("example.net", 8443))
 *         .processor(new LevelMeter())
 *         .build();
 * }</pre>
 *
 * Each figure has one writer thread and is published with a volatile write, so any thread may read it.
 *
 * <p>A microphone meter alone needs no processor: the session measures the input's peak and RMS
 * itself ({@code session.stats().inputPeakDbfs()}, {@code inputRmsDbfs()}), as {@link SwingPhone} shows.
 */
public final class LevelMeter implements AudioProcessor {
    private int frameSamples;
    private volatile long capturedFrames;
    private volatile int capturedPeak;
    private volatile long playedSamples;
    private volatile int playedPeak;

    @Override
    public void open(AudioFormat format) {
        frameSamples = format.frameSamples();
    }

    /** Capture thread. */
    @Override
    public int process(short[] pcm, int offset, long capturedAtNs) {
        capturedPeak = Math.max(capturedPeak, peak(pcm, offset, frameSamples));
        capturedFrames = capturedFrames + 1;
        return VOICE;
    }

    /** Playback thread. */
    @Override
    public void played(short[] pcm, int offset, int samples, long playedAtNs) {
        playedPeak = Math.max(playedPeak, peak(pcm, offset, samples));
        playedSamples = playedSamples + samples;
    }

    private static int peak(short[] pcm, int offset, int count) {
        int peak = 0;
        for (int i = offset; i < offset + count; i++) {
            peak = Math.max(peak, Math.abs(pcm[i]));
        }
        return peak;
    }

    public long capturedFrames() {
        return capturedFrames;
    }

    /** The loudest captured sample, 0 to 32768. */
    public int capturedPeak() {
        return capturedPeak;
    }

    public long playedSamples() {
        return playedSamples;
    }

    /** The loudest played sample, 0 to 32768. */
    public int playedPeak() {
        return playedPeak;
    }

    @Override
    public String name() {
        return "level meter";
    }

    @Override
    public void close() {
    }
}
