package dev.viz.audio.processing;

import com.sun.jna.Memory;
import dev.viz.core.AudioFormat;
import dev.viz.core.AudioProcessor;

/**
 * Echo cancellation, noise suppression, gain control and voice activity with speexdsp (the native
 * library, through JNA direct mapping): an {@link AudioProcessor} between the input device and the
 * encoder.
 *
 * <p>A Viz frame (20 or 40 ms, any of 10 to 60) is processed as speexdsp frames of
 * {@link ProcessingOptions#subFrameMs()} (10 ms by default): first the echo canceller
 * ({@code speex_echo_cancellation}, a multi-delay block frequency-domain adaptive filter of
 * {@link ProcessingOptions#echoTailMs()}), then the preprocessor ({@code speex_preprocess_run}),
 * which suppresses noise, suppresses the echo the canceller left (it is given the canceller's state),
 * controls the gain and detects voice. With echo cancellation on and noise suppression off, the
 * preprocessor still runs to remove the residual echo, with the noise left as it is (0 dB).
 *
 * <p>The echo reference travels from {@link #played} to {@link #process} through an
 * {@link EchoReference}: a lock-free history ring plus a delay estimator that lines the reference up
 * with the microphone despite the devices' buffers and follows it as the two clocks drift apart. Every
 * {@value #PEAK_EVERY_MS} ms the canceller's filter is read ({@code SPEEX_ECHO_GET_IMPULSE_RESPONSE}) for
 * the position of its main tap; from its slope over time the echo reference measures the drift between the
 * loudspeaker's and the microphone's clocks and resamples the reference by it
 * ({@link ProcessingOptions#driftCompensation()}, {@link #echoDriftPpm()}).
 *
 * <p><b>An idle canceller while the far end is silent.</b> The canceller is most of the processing's
 * cost (0.7 ms of a 20 ms frame against 0.1 ms for the preprocessor). Once the reference lined up
 * with the microphone has stayed below {@value #QUIET_REFERENCE_PEAK} (-54 dBFS) for the whole filter
 * length, and the canceller has been given that silence, there is no echo left in the microphone
 * to cancel and the filter's history holds only silence, which is what it would hold if it ran on:
 * the canceller then runs on one speexdsp frame in {@value #IDLE_STRIDE} (the others pass through)
 * until the far end makes a sound again. Not on none: speexdsp's filter keeps changing on silence
 * too, and skipped entirely the canceller lost 16 dB of depth at the end of the -100 ppm drift clip
 * ({@code SpeexProcessorTest}: 32.5 dB instead of 48.7); run one frame in four it keeps 47.8 dB.
 * In a conversation that is three quarters of the canceller's cost saved for the time the other
 * side listens; in a waiting call, for all of it ({@link #echoIdleSubFrames()}).
 *
 * <p><b>Allocation.</b> Native state and every buffer are made in {@link #open}; PCM is copied in
 * and out of native memory with JNI region copies. {@link #process} and {@link #played} allocate
 * nothing on the Java heap and take no lock. When the echo delay estimate moves (once at the start
 * of a call, then rarely), the canceller's native state is made afresh (see {@link #newEchoState}).
 *
 * <p>Threads: {@link #open} and {@link #close} by the session when no audio flows; {@link #process}
 * on the capture thread; {@link #played} on the playback thread; the {@code echo*} getters on the
 * capture thread.
 */
public final class SpeexProcessor implements AudioProcessor {
    /** The reference handed to the canceller starts this much before the estimated delay. */
    static final int MARGIN_MS = 40;
    /** speexdsp's AGC level for an output speech RMS of X dBFS is about X + 18 dB (measured). */
    static final int AGC_LEVEL_OFFSET_DB = 18;
    /** How fast the gain may rise: 20 dB in a second, so quiet speech is up to level within 2 s. */
    static final int AGC_INCREMENT_DB_PER_S = 20;
    /** The canceller's filter is read for the echo's position this often (ms), for the drift estimate. */
    static final int PEAK_EVERY_MS = 250;
    /** ... and only once a fresh filter has had this long (ms) to converge. */
    static final int PEAK_SETTLE_MS = 2000;
    /** The filter's main peak counts when the five taps around it hold at least this share of its energy. */
    static final double PEAK_SHARE = 0.02;
    /**
     * A reference whose samples all stay within this (-54 dBFS) is silence for the canceller: its
     * echo, tens of dB weaker again, is below any room's noise.
     */
    static final int QUIET_REFERENCE_PEAK = 64;
    /** While the far end is silent the canceller runs on one speexdsp frame in this many. */
    static final int IDLE_STRIDE = 4;

    private final ProcessingOptions options;
    private final boolean preprocess;

    private int subFrameSamples;
    private int subFrames;
    private long echoState;
    private int echoTailSamples;
    private int sampleRateHz;
    private long preprocessState;
    private Memory rec;
    private Memory play;
    private Memory out;
    private Memory argument;
    private short[] reference;
    private EchoReference echo;
    private Memory impulse;
    private int[] taps;
    private int subFramesSinceReset;
    private int peakEverySubFrames;
    private int settleSubFrames;
    private long voiceFrames;
    /** Reference samples in a row within {@link #QUIET_REFERENCE_PEAK}, given to the canceller or not. */
    private int quietReferenceSamples;
    private long echoIdleSubFrames;
    private int idleRun;
    private long frames;
    private boolean closed;

    /**
     * @throws IllegalStateException saying what to install when speexdsp is missing
     */
    public SpeexProcessor(ProcessingOptions options) {
        if (!SpeexDsp.isAvailable()) {
            throw new IllegalStateException(SpeexDsp.explanation(), SpeexDsp.unavailabilityCause());
        }
        this.options = options;
        this.preprocess = options.noiseSuppression() || options.gainControl() || options.voiceActivity()
                || options.echoCancellation();
    }

    public ProcessingOptions options() {
        return options;
    }

    @Override
    public void open(AudioFormat format) {
        if (rec != null) {
            throw new IllegalStateException("already open");
        }
        if (format.channels() != 1) {
            throw new IllegalArgumentException("speexdsp processing is for mono audio; got " + format.channels()
                    + " channels");
        }
        int rate = format.sampleRateHz();
        int subMs = format.frameMs() % options.subFrameMs() == 0 ? options.subFrameMs() : 10;
        subFrameSamples = rate / 1000 * subMs;
        subFrames = format.frameSamples() / subFrameSamples;
        long bytes = (long) subFrameSamples * Short.BYTES;
        rec = new Memory(bytes);
        play = new Memory(bytes);
        out = new Memory(bytes);
        argument = new Memory(Integer.BYTES);
        reference = new short[subFrameSamples];
        if (options.echoCancellation()) {
            int tail = rate / 1000 * (options.echoTailMs() + MARGIN_MS);
            tail = (tail + subFrameSamples - 1) / subFrameSamples * subFrameSamples;
            echoTailSamples = tail;
            sampleRateHz = rate;
            newEchoState();
            echo = new EchoReference(rate, options.maxEchoDelayMs(), MARGIN_MS, options.driftCompensation());
            setInt(LibSpeexDsp.SPEEX_ECHO_GET_IMPULSE_RESPONSE_SIZE, 0, true);
            int size = argument.getInt(0);
            impulse = new Memory((long) size * Integer.BYTES);
            taps = new int[size];
            peakEverySubFrames = Math.max(1, PEAK_EVERY_MS / subMs);
            settleSubFrames = PEAK_SETTLE_MS / subMs;
        }
        if (preprocess) {
            preprocessState = LibSpeexDsp.speex_preprocess_state_init(subFrameSamples, rate);
            if (preprocessState == 0) {
                throw new IllegalStateException("speex_preprocess_state_init failed");
            }
            // The preprocessor's spectral stage (its "denoise") also carries the residual echo
            // suppression and the speech probability gain control adapts on: run it whenever either
            // is on, with a 0 dB noise floor when noise suppression itself is off.
            boolean denoise = options.noiseSuppression() || options.echoCancellation() || options.gainControl();
            setInt(LibSpeexDsp.SPEEX_PREPROCESS_SET_DENOISE, denoise ? 1 : 0, false);
            setInt(LibSpeexDsp.SPEEX_PREPROCESS_SET_NOISE_SUPPRESS,
                    options.noiseSuppression() ? options.noiseSuppressionDb() : 0, false);
            setInt(LibSpeexDsp.SPEEX_PREPROCESS_SET_AGC, options.gainControl() ? 1 : 0, false);
            if (options.gainControl()) {
                // speexdsp's "level" is a loudness of its own (a power-0.3 spectral measure), not an
                // RMS: measured on the test speech, output speech RMS sits about 18 dB below it.
                float level = (float) Math.min(32767,
                        32768 * Math.pow(10, (options.gainTargetDbfs() + AGC_LEVEL_OFFSET_DB) / 20.0));
                argument.setFloat(0, level);
                LibSpeexDsp.speex_preprocess_ctl(preprocessState, LibSpeexDsp.SPEEX_PREPROCESS_SET_AGC_LEVEL,
                        com.sun.jna.Pointer.nativeValue(argument));
                setInt(LibSpeexDsp.SPEEX_PREPROCESS_SET_AGC_MAX_GAIN, options.maxGainDb(), false);
                setInt(LibSpeexDsp.SPEEX_PREPROCESS_SET_AGC_INCREMENT, AGC_INCREMENT_DB_PER_S, false);
            }
            setInt(LibSpeexDsp.SPEEX_PREPROCESS_SET_VAD, options.voiceActivity() ? 1 : 0, false);
            if (options.echoCancellation()) {
                LibSpeexDsp.speex_preprocess_ctl(preprocessState, LibSpeexDsp.SPEEX_PREPROCESS_SET_ECHO_STATE,
                        echoState);
                setInt(LibSpeexDsp.SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, options.echoSuppressionDb(), false);
                setInt(LibSpeexDsp.SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, options.echoSuppressionDb() / 2,
                        false);
            }
        }
    }

    /**
     * A fresh canceller. Used instead of {@code speex_echo_state_reset}, after which speexdsp 1.2.1
     * adapts measurably worse than from a new state (about 16 dB of ERLE instead of 23 over the next
     * 20 s in EchoLab); the preprocessor is pointed at the new one.
     */
    private void newEchoState() {
        long old = echoState;
        echoState = LibSpeexDsp.speex_echo_state_init(subFrameSamples, echoTailSamples);
        if (echoState == 0) {
            echoState = old;
            return; // out of native memory: keep the old state rather than stop the call
        }
        setInt(LibSpeexDsp.SPEEX_ECHO_SET_SAMPLING_RATE, sampleRateHz, true);
        subFramesSinceReset = 0;
        if (preprocessState != 0) {
            LibSpeexDsp.speex_preprocess_ctl(preprocessState, LibSpeexDsp.SPEEX_PREPROCESS_SET_ECHO_STATE, echoState);
        }
        if (old != 0) {
            LibSpeexDsp.speex_echo_state_destroy(old);
        }
    }

    private void setInt(int request, int value, boolean echoCtl) {
        argument.setInt(0, value);
        long address = com.sun.jna.Pointer.nativeValue(argument);
        int status = echoCtl ? LibSpeexDsp.speex_echo_ctl(echoState, request, address)
                : LibSpeexDsp.speex_preprocess_ctl(preprocessState, request, address);
        if (status != 0) {
            throw new IllegalStateException("speexdsp ctl " + request + " = " + value + " failed: " + status);
        }
    }

    /**
     * Reads the canceller's filter and hands the position of its main peak (sub-sample, by a parabola
     * through the three taps around it) to the echo reference, for the drift estimate. A filter with
     * no clear peak (not converged, no far end yet) is skipped. Capture thread.
     */
    private void observeEchoPeak() {
        LibSpeexDsp.speex_echo_ctl(echoState, LibSpeexDsp.SPEEX_ECHO_GET_IMPULSE_RESPONSE,
                com.sun.jna.Pointer.nativeValue(impulse));
        impulse.read(0, taps, 0, taps.length);
        int peak = -1;
        long peakAbs = 0;
        double total = 0;
        for (int k = 0; k < taps.length; k++) {
            long v = taps[k];
            total += (double) v * v;
            long a = Math.abs(v);
            if (a > peakAbs) {
                peakAbs = a;
                peak = k;
            }
        }
        if (peak <= 0 || peak >= taps.length - 1) {
            return;
        }
        double local = 0;
        for (int k = Math.max(0, peak - 2); k <= Math.min(taps.length - 1, peak + 2); k++) {
            local += (double) taps[k] * taps[k];
        }
        if (local < PEAK_SHARE * total) {
            return;
        }
        double sign = Math.signum(taps[peak]);
        double a = sign * taps[peak - 1];
        double b = sign * taps[peak];
        double c = sign * taps[peak + 1];
        double curvature = a - 2 * b + c;
        double offset = curvature < 0 ? Math.max(-0.5, Math.min(0.5, 0.5 * (a - c) / curvature)) : 0;
        echo.echoPeakAt(peak + offset);
    }

    @Override
    public int process(short[] pcm, int offset, long capturedAtNs) {
        int voice = 0;
        for (int s = 0; s < subFrames; s++) {
            int at = offset + s * subFrameSamples;
            if (echoState != 0) {
                int status = echo.next(pcm, at, subFrameSamples, reference);
                if ((status & EchoReference.RESET_ADVISED) != 0) {
                    newEchoState();
                    quietReferenceSamples = 0;
                }
                if (quiet(reference)) {
                    quietReferenceSamples = Math.min(quietReferenceSamples + subFrameSamples, Integer.MAX_VALUE / 2);
                } else {
                    quietReferenceSamples = 0;
                }
            }
            if (echoState != 0 && quietReferenceSamples > echoTailSamples && ++idleRun % IDLE_STRIDE != 0) {
                // The far end has been silent for the whole filter and the canceller has had that silence:
                // nothing to cancel, and its history is what running on would make it.
                out.write(0, pcm, at, subFrameSamples);
                echoIdleSubFrames++;
            } else if (echoState != 0) {
                rec.write(0, pcm, at, subFrameSamples);
                play.write(0, reference, 0, subFrameSamples);
                LibSpeexDsp.speex_echo_cancellation(echoState, com.sun.jna.Pointer.nativeValue(rec),
                        com.sun.jna.Pointer.nativeValue(play), com.sun.jna.Pointer.nativeValue(out));
                if (++subFramesSinceReset >= settleSubFrames && subFramesSinceReset % peakEverySubFrames == 0) {
                    observeEchoPeak();
                }
            } else {
                out.write(0, pcm, at, subFrameSamples);
            }
            if (preprocessState != 0) {
                voice |= LibSpeexDsp.speex_preprocess_run(preprocessState, com.sun.jna.Pointer.nativeValue(out));
            }
            out.read(0, pcm, at, subFrameSamples);
        }
        frames++;
        if (!options.voiceActivity() || voice != 0) {
            voiceFrames++;
            return VOICE;
        }
        return 0;
    }

    private static boolean quiet(short[] samples) {
        for (short sample : samples) {
            if (sample > QUIET_REFERENCE_PEAK || sample < -QUIET_REFERENCE_PEAK) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void played(short[] pcm, int offset, int samples, long playedAtNs) {
        if (echo != null) {
            echo.played(pcm, offset, samples, playedAtNs);
        }
    }

    @Override
    public String name() {
        return "speexdsp " + options.describe();
    }

    /** Capture thread: the echo delay in use (ms), NaN before anything was played or with echo cancellation off. */
    public double echoDelayMs() {
        return echo == null ? Double.NaN : echo.delayMs();
    }

    /** Capture thread: how clearly the delay estimate stood out (normalized correlation, 0..1). */
    public double echoDelayConfidence() {
        return echo == null ? 0 : echo.confidence();
    }

    /** Capture thread: speexdsp frames for which part of the echo reference had not been played yet. */
    public long echoReferenceUnderruns() {
        return echo == null ? 0 : echo.underruns();
    }

    /**
     * Output underruns found from the times {@link #played} was called (the device played silence
     * the program never wrote; it went into the echo reference where it was played). Diagnosis.
     */
    public long echoPlaybackUnderruns() {
        return echo == null ? 0 : echo.playbackUnderruns();
    }

    /** Capture thread: how often the applied echo delay moved after the first estimate. */
    public long echoDelayChanges() {
        return echo == null ? 0 : Math.max(0, echo.jumps() - 1);
    }

    /**
     * Capture thread: the measured drift of the loudspeaker's clock against the microphone's, in ppm
     * (positive: the loudspeaker runs faster), NaN before the first estimate (some 6 s of far-end
     * speech) or with echo cancellation off. With {@link ProcessingOptions#driftCompensation()} the
     * echo reference is resampled by it.
     */
    public double echoDriftPpm() {
        return echo == null ? Double.NaN : echo.driftPpm();
    }

    /** Capture thread: the drift the echo reference is resampled by now, in ppm (0 when not). */
    double echoCompensatedPpm() {
        return echo == null ? 0 : echo.compensatedPpm();
    }

    /** Capture thread: the echo reference's alignment state, for logs and diagnosis. */
    public String echoDiagnostics() {
        return echo == null ? "no echo cancellation" : echo.toString();
    }

    /** Capture thread: frames processed, and of those, frames with voice. */
    public long frames() {
        return frames;
    }

    public long voiceFrames() {
        return voiceFrames;
    }

    /** Capture thread: speexdsp frames for which the canceller was idle, the far end being silent. */
    public long echoIdleSubFrames() {
        return echoIdleSubFrames;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (preprocessState != 0) {
            LibSpeexDsp.speex_preprocess_state_destroy(preprocessState);
            preprocessState = 0;
        }
        if (echoState != 0) {
            LibSpeexDsp.speex_echo_state_destroy(echoState);
            echoState = 0;
        }
    }
}
