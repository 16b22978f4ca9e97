package dev.viz.audio.opus.nativelib;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The few libopus functions Viz calls, bound with JNA direct mapping ({@link Native#register}).
 *
 * <p>Every pointer is passed as a {@code long} address (of a {@link com.sun.jna.Memory} block that
 * the caller owns), so a call is a plain JNI call: it creates no Java object. The class is loaded
 * only through {@link NativeOpus}, which catches the {@link LinkageError} that loading it throws when
 * libopus is missing.
 *
 * <p><b>Variadic functions.</b> {@code opus_encoder_ctl} and {@code opus_decoder_ctl} are declared in
 * C as {@code int f(void *st, int request, ...)}. Direct mapping cannot describe a variadic call, so
 * they are bound here with a fixed third argument of 64 bits. That is correct on x86-64 System V
 * (Linux, the BSDs, macOS on Intel) and on AArch64 Linux, where the first variadic integer or pointer
 * arguments travel in the same registers as fixed ones and {@code va_arg(ap, opus_int32)} reads the
 * low half of the register: a setter passes its value, a getter passes the address of an
 * {@code int}. It is not correct on Apple silicon, where variadic arguments go on the stack; there
 * {@link NativeOpus} reports the codec unavailable rather than risk it.
 */
final class LibOpus {
    static final int OPUS_OK = 0;
    static final int OPUS_BAD_ARG = -1;
    static final int OPUS_BUFFER_TOO_SMALL = -2;
    static final int OPUS_INTERNAL_ERROR = -3;
    static final int OPUS_INVALID_PACKET = -4;

    static final int OPUS_APPLICATION_VOIP = 2048;
    static final int OPUS_APPLICATION_AUDIO = 2049;
    static final int OPUS_APPLICATION_RESTRICTED_LOWDELAY = 2051;

    /** OPUS_AUTO: let the encoder choose (mode, bandwidth). */
    static final int OPUS_AUTO = -1000;

    /** Coding modes, as the private {@code OPUS_SET_FORCE_MODE} request takes them (opus_private.h). */
    static final int MODE_SILK_ONLY = 1000;
    static final int MODE_HYBRID = 1001;
    static final int MODE_CELT_ONLY = 1002;

    static final int OPUS_SET_BITRATE_REQUEST = 4002;
    static final int OPUS_GET_BITRATE_REQUEST = 4003;
    static final int OPUS_SET_VBR_REQUEST = 4006;
    static final int OPUS_SET_BANDWIDTH_REQUEST = 4008;
    static final int OPUS_SET_COMPLEXITY_REQUEST = 4010;
    static final int OPUS_SET_INBAND_FEC_REQUEST = 4012;
    static final int OPUS_SET_PACKET_LOSS_PERC_REQUEST = 4014;
    static final int OPUS_SET_DTX_REQUEST = 4016;
    static final int OPUS_SET_VBR_CONSTRAINT_REQUEST = 4020;
    static final int OPUS_GET_LOOKAHEAD_REQUEST = 4027;
    static final int OPUS_RESET_STATE = 4028;
    /**
     * Private request (opus_private.h, handled by every libopus since 1.0): force SILK, hybrid or CELT,
     * or {@link #OPUS_AUTO}. libopus uses it itself to keep one mode across the frames of a packet.
     */
    static final int OPUS_SET_FORCE_MODE_REQUEST = 11002;

    private LibOpus() {
    }

    /** Binds the natives to {@code library}; throws {@link LinkageError} when a symbol is missing. */
    static void register(NativeLibrary library) {
        Native.register(LibOpus.class, library);
    }

    static native long opus_get_version_string();

    static native int opus_encoder_get_size(int channels);

    /** @param error address of an int that receives the status */
    static native long opus_encoder_create(int sampleRateHz, int channels, int application, long error);

    static native void opus_encoder_destroy(long encoder);

    /** Variadic in C; see the class comment. */
    static native int opus_encoder_ctl(long encoder, int request, long argument);

    static native int opus_encode(long encoder, long pcm, int frameSizePerChannel, long data, int maxDataBytes);

    static native long opus_decoder_create(int sampleRateHz, int channels, long error);

    static native void opus_decoder_destroy(long decoder);

    /** Variadic in C; see the class comment. */
    static native int opus_decoder_ctl(long decoder, int request, long argument);

    /** Samples per channel the packet decodes to, or a negative status when it is malformed. */
    static native int opus_packet_get_nb_samples(long packet, int length, int sampleRateHz);

    /** The bandwidth (OPUS_BANDWIDTH_*) in a packet's TOC byte at {@code packet}. */
    static native int opus_packet_get_bandwidth(long packet);

    static native int opus_repacketizer_get_size();

    /** Initialises (or resets) a repacketizer in {@link #opus_repacketizer_get_size()} bytes at {@code rp}. */
    static native long opus_repacketizer_init(long rp);

    /**
     * Adds a packet; the repacketizer keeps a pointer to {@code data}, which must stay valid and
     * unchanged until {@link #opus_repacketizer_out}. OPUS_INVALID_PACKET when its TOC (mode, bandwidth,
     * frame size, channels) differs from the first packet's.
     */
    static native int opus_repacketizer_cat(long rp, long data, int length);

    /** Writes the frames added so far as one packet without padding; its length or a negative status. */
    static native int opus_repacketizer_out(long rp, long data, int maxLength);

    /** Pads the packet of {@code length} bytes at {@code data} to exactly {@code newLength}, in place; OPUS_OK or a negative status. */
    static native int opus_packet_pad(long data, int length, int newLength);

    /** @param data 0 (null) with {@code length} 0 for concealment */
    static native int opus_decode(long decoder, long data, int length, long pcm, int frameSizePerChannel,
            int decodeFec);
}
