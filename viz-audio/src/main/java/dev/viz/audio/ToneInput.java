package dev.viz.audio;

import dev.viz.core.AudioFormat;
import java.io.IOException;

/**
 * A sine tone as a microphone ({@code tone:HZ}): endless, phase-continuous across frames, the same
 * on every channel. For testing a call without a microphone, and for measuring what arrives.
 *
 * <p>Paced by default (one frame per frame period, against a deadline clock that does not drift);
 * {@link #unpaced(double)} delivers frames as fast as the caller asks.
 *
 * <p>Threads: {@link #read} from one thread, {@link #close} from any (it wakes a paced read, which
 * then throws an {@link IOException}). Allocates nothing per read.
 */
public final class ToneInput extends PacedDevice {
    /** Default amplitude: 0.25 of full scale (about −12 dBFS), loud but far from clipping. */
    public static final double DEFAULT_AMPLITUDE = 0.25;

    private final double hz;
    private final double amplitude;
    private double phase;
    private double phaseStep;
    private int channels;

    /** A paced tone at {@code hz} and {@link #DEFAULT_AMPLITUDE}. */
    public ToneInput(double hz) {
        this(hz, DEFAULT_AMPLITUDE, true);
    }

    /**
     * A paced tone at {@code hz} and {@code amplitude} (0 to 1 of full scale).
     *
     * @throws IllegalArgumentException for a frequency that is not positive and finite, or an
     *     amplitude outside 0..1
     */
    public ToneInput(double hz, double amplitude) {
        this(hz, amplitude, true);
    }

    private ToneInput(double hz, double amplitude, boolean paced) {
        super(name(hz), Direction.INPUT, paced, "outputs are wav:FILE, null or default");
        if (!(hz > 0) || Double.isInfinite(hz)) {
            throw new IllegalArgumentException("tone frequency " + hz + " Hz: use a positive number of Hz");
        }
        if (!(amplitude >= 0 && amplitude <= 1)) {
            throw new IllegalArgumentException("tone amplitude " + amplitude + ": use 0 to 1 (of full scale)");
        }
        this.hz = hz;
        this.amplitude = amplitude;
    }

    /** An unpaced tone at {@code hz} and {@link #DEFAULT_AMPLITUDE}. */
    public static ToneInput unpaced(double hz) {
        return new ToneInput(hz, DEFAULT_AMPLITUDE, false);
    }

    /** An unpaced tone at {@code hz} and {@code amplitude} (0 to 1 of full scale). */
    public static ToneInput unpaced(double hz, double amplitude) {
        return new ToneInput(hz, amplitude, false);
    }

    private static String name(double hz) {
        return "tone:" + (hz == Math.rint(hz) ? Long.toString((long) hz) : Double.toString(hz));
    }

    public double hz() {
        return hz;
    }

    public double amplitude() {
        return amplitude;
    }

    /** @throws IOException for a tone at or above half the sample rate */
    @Override
    protected void onOpen(AudioFormat format) throws IOException {
        if (hz >= format.sampleRateHz() / 2.0) {
            throw new IOException(name() + ": a tone must be below half the sample rate (" + format.sampleRateHz() / 2
                    + " Hz)");
        }
        channels = format.channels();
        phaseStep = 2 * Math.PI * hz / format.sampleRateHz();
        phase = 0;
    }

    /** Capture thread. One frame of the tone. */
    @Override
    protected int fill(short[] pcm, int offset, int samples) {
        double scale = amplitude * Short.MAX_VALUE;
        for (int i = 0; i < samples; i += channels) {
            short s = (short) Math.round(scale * Math.sin(phase));
            for (int c = 0; c < channels && i + c < samples; c++) {
                pcm[offset + i + c] = s;
            }
            phase += phaseStep;
            if (phase >= 2 * Math.PI) {
                phase -= 2 * Math.PI;
            }
        }
        return samples;
    }
}
