package dev.viz.audio.pulse;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.nio.ByteOrder;

/**
 * The calls of PulseAudio's client libraries Viz uses, bound with JNA direct mapping to {@code
 * libpulse-simple.so.0}: its {@code pa_simple_new}/{@code pa_simple_free}, with which {@link
 * PulseBackend} checks a device, and, through it, the {@code libpulse.so.0} it links: {@code
 * pa_strerror}, {@code pa_get_library_version} and the main loop, context and stream calls of the
 * devices' streams ({@link PulseStream}). Only {@link PulseBackend} calls {@link #bind}; every other
 * method is safe only after it returned.
 *
 * <p>Type mapping: libpulse's objects are opaque {@link Pointer}s; {@code size_t} is Java {@code
 * long} or {@code int} by the platform's width ({@link #writableSize}, {@link #write}: a {@link
 * NativeLong} would be an object at every call); the {@code int *error} out-parameter is a 4-byte
 * {@link Pointer} the caller keeps.
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
    /** {@code pa_context_state_t}: connected. */
    static final int PA_CONTEXT_READY = 4;
    /** {@code pa_context_state_t}: the connection failed or was lost. */
    static final int PA_CONTEXT_FAILED = 5;
    /** {@code pa_context_state_t}: disconnected on purpose. */
    static final int PA_CONTEXT_TERMINATED = 6;
    /** {@code PA_CONTEXT_NOAUTOSPAWN}: never start a server to connect to. */
    static final int PA_CONTEXT_NOAUTOSPAWN = 1;
    /** {@code PA_ERR_NOENTITY}: no such sink or source. */
    static final int PA_ERR_NOENTITY = 5;
    /** {@code PA_ERR_CONNECTIONREFUSED}: no server answers. */
    static final int PA_ERR_CONNECTIONREFUSED = 6;

    /** Whether {@code size_t} is 8 bytes here. */
    private static final boolean SIZE_T_64 = Native.SIZE_T_SIZE == 8;

    private PulseNative() {
    }

    /**
     * Loads {@code libraryName} (libpulse-simple) and binds the natives below to it.
     *
     * @throws UnsatisfiedLinkError when the library or one of its functions is missing
     */
    static void bind(String libraryName) {
        NativeLibrary library = NativeLibrary.getInstance(libraryName);
        Native.register(PulseNative.class, library);
        Native.register(SIZE_T_64 ? Size64.class : Size32.class, library);
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

    static native void pa_simple_free(Pointer s);

    static native String pa_strerror(int error);

    static native String pa_get_library_version();

    // The asynchronous API, for the devices' streams (PulseStream) and the device list (PulseIntrospection).

    static native Pointer pa_mainloop_new();

    static native Pointer pa_mainloop_get_api(Pointer mainloop);

    /** Waits for an event when {@code block} is 1 and dispatches it; negative on failure or quit. */
    static native int pa_mainloop_iterate(Pointer mainloop, int block, Pointer retval);

    /** The three steps of {@link #pa_mainloop_iterate}, for a caller that bounds the wait: {@code timeoutUs} -1 for none. */
    static native int pa_mainloop_prepare(Pointer mainloop, int timeoutUs);

    static native int pa_mainloop_poll(Pointer mainloop);

    static native int pa_mainloop_dispatch(Pointer mainloop);

    static native void pa_mainloop_free(Pointer mainloop);

    static native Pointer pa_context_new(Pointer api, String name);

    static native int pa_context_connect(Pointer context, String server, int flags, Pointer spawnApi);

    static native int pa_context_get_state(Pointer context);

    static native int pa_context_errno(Pointer context);

    static native void pa_context_disconnect(Pointer context);

    static native void pa_context_unref(Pointer context);

    static native Pointer pa_stream_new(Pointer context, String name, SampleSpec spec, Pointer channelMap);

    static native int pa_stream_connect_playback(Pointer stream, String device, BufferAttr attr, int flags,
            Pointer volume, Pointer syncStream);

    static native int pa_stream_connect_record(Pointer stream, String device, BufferAttr attr, int flags);

    static native int pa_stream_get_state(Pointer stream);

    /**
     * The next fragment of a record stream: {@code *data} and {@code *nbytes} set, {@code *nbytes}
     * 0 when none has come, {@code *data} null for a hole; the same fragment until {@link #pa_stream_drop}.
     */
    static native int pa_stream_peek(Pointer stream, Pointer data, Pointer nbytes);

    static native int pa_stream_drop(Pointer stream);

    static native int pa_stream_set_overflow_callback(Pointer stream, StreamNotify callback, Pointer userdata);

    /** The write index at which the server last reported an underflow, or -1 when it has not. */
    static native long pa_stream_get_underflow_index(Pointer stream);

    /** The buffer attributes the server granted: five {@code uint32_t}, as {@link BufferAttr}; valid while the stream is. */
    static native Pointer pa_stream_get_buffer_attr(Pointer stream);

    static native int pa_stream_disconnect(Pointer stream);

    static native void pa_stream_unref(Pointer stream);

    /** {@code pa_stream_notify_cb_t}: called on the thread that turns the stream's main loop. */
    public interface StreamNotify extends Callback {
        void invoke(Pointer stream, Pointer userdata);
    }

    /** Bytes the server has room for now ({@code pa_stream_writable_size}). Allocates nothing. */
    static long writableSize(Pointer stream) {
        return SIZE_T_64 ? Size64.pa_stream_writable_size(stream)
                : Size32.pa_stream_writable_size(stream) & 0xFFFF_FFFFL;
    }

    /** {@code pa_stream_write}, copying {@code bytes} of {@code data} (no free callback). Allocates nothing. */
    static int write(Pointer stream, Pointer data, long bytes, Pointer freeCallback, long offset, int seek) {
        return SIZE_T_64 ? Size64.pa_stream_write(stream, data, bytes, freeCallback, offset, seek)
                : Size32.pa_stream_write(stream, data, (int) bytes, freeCallback, offset, seek);
    }

    /**
     * The functions that take or return {@code size_t}, as Java {@code long} where it is 8 bytes: a
     * {@link NativeLong} would be a new object at every call of the hot path.
     */
    private static final class Size64 {
        static native long pa_stream_writable_size(Pointer stream);

        static native int pa_stream_write(Pointer stream, Pointer data, long bytes, Pointer freeCallback, long offset,
                int seek);
    }

    /** The same where {@code size_t} is 4 bytes. */
    private static final class Size32 {
        static native int pa_stream_writable_size(Pointer stream);

        static native int pa_stream_write(Pointer stream, Pointer data, int bytes, Pointer freeCallback, long offset,
                int seek);
    }
}
