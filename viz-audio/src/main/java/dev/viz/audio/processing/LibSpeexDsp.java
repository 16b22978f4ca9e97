package dev.viz.audio.processing;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The few speexdsp functions Viz calls (speex/speex_echo.h and speex/speex_preprocess.h of speexdsp
 * 1.2), bound with JNA direct mapping ({@link Native#register}).
 *
 * <p>Every pointer is passed as a {@code long} address of a {@link com.sun.jna.Memory} block the
 * caller owns, so a call is a plain JNI call that creates no Java object. The class is loaded only
 * through {@link SpeexDsp}, which catches the {@link LinkageError} that binding throws when the
 * library or a symbol is missing. {@code spx_int16_t} is a 16-bit integer, {@code spx_int32_t} 32-bit.
 */
final class LibSpeexDsp {
    static final int SPEEX_ECHO_GET_FRAME_SIZE = 3;
    static final int SPEEX_ECHO_SET_SAMPLING_RATE = 24;
    static final int SPEEX_ECHO_GET_SAMPLING_RATE = 25;
    /** int*: the number of taps {@link #SPEEX_ECHO_GET_IMPULSE_RESPONSE} writes (the filter length). */
    static final int SPEEX_ECHO_GET_IMPULSE_RESPONSE_SIZE = 27;
    /**
     * spx_int32_t*: the adaptive filter's impulse response, one value per tap (in the floating-point
     * build, the tap times 32767, truncated).
     */
    static final int SPEEX_ECHO_GET_IMPULSE_RESPONSE = 29;

    /** int*: 1 on, 0 off. */
    static final int SPEEX_PREPROCESS_SET_DENOISE = 0;
    /** int*: 1 on, 0 off (only in floating-point builds, which Debian's is). */
    static final int SPEEX_PREPROCESS_SET_AGC = 2;
    /** int*: 1 on, 0 off; {@link #speex_preprocess_run} then returns 1 for speech, 0 for silence. */
    static final int SPEEX_PREPROCESS_SET_VAD = 4;
    /** float*: the AGC's target loudness in 16-bit sample units (default 8000). */
    static final int SPEEX_PREPROCESS_SET_AGC_LEVEL = 6;
    static final int SPEEX_PREPROCESS_SET_DEREVERB = 8;
    /** int*: maximum attenuation of the noise in dB, negative (default -15). */
    static final int SPEEX_PREPROCESS_SET_NOISE_SUPPRESS = 18;
    /** int*: maximum attenuation of the residual echo in dB, negative (default -40). */
    static final int SPEEX_PREPROCESS_SET_ECHO_SUPPRESS = 20;
    /** int*: maximum attenuation of the residual echo while the near end talks, negative (default -15). */
    static final int SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE = 22;
    /** SpeexEchoState* (the pointer itself, not its address), or null to detach. */
    static final int SPEEX_PREPROCESS_SET_ECHO_STATE = 24;
    /** int*: dB per second the AGC may raise the gain (default 12). */
    static final int SPEEX_PREPROCESS_SET_AGC_INCREMENT = 26;
    /** int*: dB per second the AGC may lower the gain, negative (default -40). */
    static final int SPEEX_PREPROCESS_SET_AGC_DECREMENT = 28;
    /** int*: the AGC's maximum gain in dB (default 30). */
    static final int SPEEX_PREPROCESS_SET_AGC_MAX_GAIN = 30;
    /** int*: the AGC's current gain in percent. */
    static final int SPEEX_PREPROCESS_GET_AGC_GAIN = 35;
    /** int*: the same target as {@link #SPEEX_PREPROCESS_SET_AGC_LEVEL}, as an integer. */
    static final int SPEEX_PREPROCESS_SET_AGC_TARGET = 46;

    private LibSpeexDsp() {
    }

    /** Binds the natives to {@code library}; throws {@link LinkageError} when a symbol is missing. */
    static void register(NativeLibrary library) {
        Native.register(LibSpeexDsp.class, library);
    }

    /** @return a SpeexEchoState*, or 0 when out of memory */
    static native long speex_echo_state_init(int frameSize, int filterLength);

    static native void speex_echo_state_destroy(long state);

    /** Cancels the echo of {@code play} (the reference, aligned with the capture) from {@code rec} into {@code out}. */
    static native void speex_echo_cancellation(long state, long rec, long play, long out);

    static native void speex_echo_state_reset(long state);

    /** @param ptr address of the request's argument (an int for the sampling rate) */
    static native int speex_echo_ctl(long state, int request, long ptr);

    /** @return a SpeexPreprocessState*, or 0 when out of memory */
    static native long speex_preprocess_state_init(int frameSize, int samplingRate);

    static native void speex_preprocess_state_destroy(long state);

    /** Processes one frame in place; with VAD on returns 1 for speech and 0 for silence, else 1. */
    static native int speex_preprocess_run(long state, long pcm);

    /** @param ptr address of the request's argument, or for SET_ECHO_STATE the echo state itself */
    static native int speex_preprocess_ctl(long state, int request, long ptr);
}
