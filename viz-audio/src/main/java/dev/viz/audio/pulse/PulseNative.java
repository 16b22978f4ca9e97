package dev.viz.audio.pulse;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.nio.ByteOrder;

/**
 * The part of PulseAudio's simple API ({@code pulse/simple.h}, {@code libpulse-simple.so.0}) Viz
 * uses, bound with JNA direct mapping, plus {@code pa_strerror} and {@code pa_get_library_version}
 * from {@code libpulse.so.0}, which the simple library links and through which they are found. Only
 * {@link PulseBackend} calls {@link #bind}; every other method is safe only after it returned.
 *
 * <p>Type mapping: {@code pa_simple*} is an opaque {@link Pointer}; {@code size_t} is
 * {@link NativeLong} (the same width as C {@code long} on every platform libpulse runs on);
 * {@code pa_usec_t} is {@code long}; the {@code int *error} out-parameters are a 4-byte
 * {@link Pointer} the caller keeps, so a read or write allocates nothing.
 */
final class PulseNative {
    static final int PA_STREAM_PLAYBACK = 1;
    static final int PA_STREAM_RECORD = 2;
    /** {@code PA_SAMPLE_S16LE}; {@code PA_SAMPLE_S16BE} is 4. */
    private static final int PA_SAMPLE_S16LE = 3;
    private static final int PA_SAMPLE_S16BE = 4;
    /** {@code PA_SAMPLE_S16NE}: signed 16-bit in this machine's byte order, as Java's shorts reach native memory. */
    static final int PA_SAMPLE_S16NE =
            ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? PA_SAMPLE_S16LE : PA_SAMPLE_S16BE;
    /** {@code (uint32_t) -1}: let the server choose this buffer field. */
    static final int DEFAULT_FIELD = -1;
    /** {@code PA_ERR_NOENTITY}: no such sink or source. */
    static final int PA_ERR_NOENTITY = 5;
    /** {@code PA_ERR_CONNECTIONREFUSED}: no server answers. */
    static final int PA_ERR_CONNECTIONREFUSED = 6;

    private PulseNative() {
    }

    /**
     * Loads {@code libraryName} (libpulse-simple) and binds the natives below to it.
     *
     * @throws UnsatisfiedLinkError when the library or one of its functions is missing
     */
    static void bind(String libraryName) {
        Native.register(PulseNative.class, NativeLibrary.getInstance(libraryName));
    }

    /** {@code pa_sample_spec}: {@code {pa_sample_format_t format; uint32_t rate; uint8_t channels}}. */
    @Structure.FieldOrder({"format", "rate", "channels"})
    public static final class SampleSpec extends Structure {
        public int format;
        public int rate;
        public byte channels;
    }

    /** A spec for signed 16-bit samples in this machine's byte order, which is how Java's shorts reach native memory. */
    static SampleSpec int16(int rateHz, int channels) {
        SampleSpec spec = new SampleSpec();
        spec.format = PA_SAMPLE_S16NE;
        spec.rate = rateHz;
        spec.channels = (byte) channels;
        return spec;
    }

    /** {@code pa_buffer_attr}: five {@code uint32_t}; {@link #DEFAULT_FIELD} leaves one to the server. */
    @Structure.FieldOrder({"maxlength", "tlength", "prebuf", "minreq", "fragsize"})
    public static final class BufferAttr extends Structure {
        public int maxlength = DEFAULT_FIELD;
        public int tlength = DEFAULT_FIELD;
        public int prebuf = DEFAULT_FIELD;
        public int minreq = DEFAULT_FIELD;
        public int fragsize = DEFAULT_FIELD;
    }

    /** A new connection and stream, or null with {@code *error} set. */
    static native Pointer pa_simple_new(String server, String name, int direction, String device, String streamName,
            SampleSpec spec, Pointer channelMap, BufferAttr attr, Pointer error);

    /** Blocks until {@code bytes} have been read; 0 or a negative value with {@code *error} set. */
    static native int pa_simple_read(Pointer s, Pointer data, NativeLong bytes, Pointer error);

    /** Blocks until {@code bytes} have been handed to the server; 0 or a negative value with {@code *error} set. */
    static native int pa_simple_write(Pointer s, Pointer data, NativeLong bytes, Pointer error);

    /** The stream's latency in microseconds, or {@code (pa_usec_t) -1} with {@code *error} set. */
    static native long pa_simple_get_latency(Pointer s, Pointer error);

    static native void pa_simple_free(Pointer s);

    static native String pa_strerror(int error);

    static native String pa_get_library_version();
}
