package dev.viz.audio.pulse;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a PulseAudio server with one record or playback stream, through libpulse's
 * asynchronous API, whose main loop is turned by the thread that reads or writes: while {@link
 * #read} waits for the server's next fragment, or {@link #write} for room, that thread waits in
 * {@code pa_mainloop_iterate}, so the server's messages wake that one thread.
 *
 * <p>Why not the simple API: {@code pa_simple_read}/{@code pa_simple_write} wait on a threaded
 * main loop whose own thread ({@code threaded-ml}) wakes at every message of the server (an
 * output's server asks for more about four times a 20 ms frame) and then wakes the reader or
 * writer. In a listener those two threads took 2.6-2.9 % of a core, the one thread now 1.8-2.0 %;
 * in a caller the capture's two 0.75-0.8 %, the one 0.6-0.65 % (docs/performance.md, "The stream's
 * own main loop").
 *
 * <p>The stream asks for {@code PA_STREAM_ADJUST_LATENCY} as the simple API does, without its
 * timing-update flags (nothing here reads the stream's timing). A playback stream counts the
 * underflows the server reports, a record stream its overflows ({@link #xruns()}).
 *
 * <p>Threads: {@link #openPlayback}/{@link #openRecord} and {@link #read}/{@link #write} on the
 * one thread that uses the stream; {@link #xruns()} from any; {@link #free()} once, from the thread
 * the guard in {@link PulseDevice} names, never during a read or write. Reads and writes allocate
 * nothing.
 */
final class PulseStream {
    private static final Logger LOG = LoggerFactory.getLogger(PulseStream.class);
    private static final int PA_STREAM_READY = 2;
    private static final int PA_STREAM_FAILED = 3;
    private static final int PA_STREAM_TERMINATED = 4;
    /** {@code PA_STREAM_ADJUST_LATENCY}: the server sets the device's latency from the buffer asked. */
    private static final int PA_STREAM_ADJUST_LATENCY = 0x2000;
    /** {@code PA_SEEK_RELATIVE}: append to what was written. */
    private static final int PA_SEEK_RELATIVE = 0;

    private final Pointer mainloop;
    private final Pointer context;
    private final Pointer stream;
    /** Record: counts an overflow (a JNA callback, which allocates: overflows are rare). */
    private final PulseNative.StreamNotify onOverflow;
    /** Playback: the write index of the last underflow counted, -1 for none. */
    private long lastUnderflowIndex = -1;
    private final AtomicLong xruns = new AtomicLong();
    /** Record: {@code pa_stream_peek}'s two out-parameters, a pointer and a {@code size_t}. */
    private final Memory peekData = new Memory(Native.POINTER_SIZE);
    private final Memory peekBytes = new Memory(Native.SIZE_T_SIZE);
    /** Record: where a peeked fragment's data is, moved rather than made anew at every read. */
    private final MovablePointer fragment = new MovablePointer();
    /** Record: bytes of the current fragment already read. */
    private long fragmentOffset;

    private PulseStream(Pointer mainloop, Pointer context, Pointer stream) {
        this.mainloop = mainloop;
        this.context = context;
        this.stream = stream;
        this.onOverflow = (s, userdata) -> xruns.incrementAndGet();
    }

    /**
     * Connects to the server and opens a playback stream on {@code sink} (null: the default sink)
     * with {@code attr}'s target length.
     *
     * @throws PulseException with libpulse's error code when the server or the sink is not there
     */
    static PulseStream openPlayback(String sink, PulseNative.SampleSpec spec, PulseNative.BufferAttr attr,
            String streamName) throws PulseException {
        return open(sink, false, spec, attr, streamName);
    }

    /** Like {@link #openPlayback} for a record stream on {@code source}, with {@code attr}'s fragment size. */
    static PulseStream openRecord(String source, PulseNative.SampleSpec spec, PulseNative.BufferAttr attr,
            String streamName) throws PulseException {
        return open(source, true, spec, attr, streamName);
    }

    private static PulseStream open(String device, boolean record, PulseNative.SampleSpec spec,
            PulseNative.BufferAttr attr, String streamName) throws PulseException {
        Pointer mainloop = PulseNative.pa_mainloop_new();
        if (mainloop == null) {
            throw new PulseException("libpulse could not make a main loop", 0);
        }
        Pointer context = PulseNative.pa_context_new(PulseNative.pa_mainloop_get_api(mainloop), PulseBackend.CLIENT_NAME);
        Pointer stream = null;
        boolean done = false;
        try {
            if (context == null) {
                throw new PulseException("libpulse could not make a context", 0);
            }
            if (PulseNative.pa_context_connect(context, null, 0, null) < 0) {
                throw failure(context);
            }
            int state;
            while ((state = PulseNative.pa_context_get_state(context)) != PulseNative.PA_CONTEXT_READY) {
                if (state == PulseNative.PA_CONTEXT_FAILED || state == PulseNative.PA_CONTEXT_TERMINATED) {
                    throw failure(context);
                }
                iterate(mainloop, context);
            }
            stream = PulseNative.pa_stream_new(context, streamName, spec, null);
            if (stream == null) {
                throw failure(context);
            }
            PulseStream opened = new PulseStream(mainloop, context, stream);
            int connected;
            if (record) {
                PulseNative.pa_stream_set_overflow_callback(stream, opened.onOverflow, null);
                connected = PulseNative.pa_stream_connect_record(stream, device, attr, PA_STREAM_ADJUST_LATENCY);
            } else {
                connected = PulseNative.pa_stream_connect_playback(stream, device, attr, PA_STREAM_ADJUST_LATENCY,
                        null, null);
            }
            if (connected < 0) {
                throw failure(context);
            }
            while ((state = PulseNative.pa_stream_get_state(stream)) != PA_STREAM_READY) {
                if (state == PA_STREAM_FAILED || state == PA_STREAM_TERMINATED) {
                    throw failure(context);
                }
                iterate(mainloop, context);
            }
            if (LOG.isDebugEnabled()) {
                Pointer granted = PulseNative.pa_stream_get_buffer_attr(stream);
                if (granted != null) {
                    LOG.debug("PulseAudio {} stream: asked tlength {} B, fragsize {} B; granted maxlength {}, tlength {},"
                            + " prebuf {}, minreq {}, fragsize {} B", record ? "record" : "playback", attr.tlength,
                            attr.fragsize, granted.getInt(0), granted.getInt(4), granted.getInt(8), granted.getInt(12),
                            granted.getInt(16));
                }
            }
            done = true;
            return opened;
        } finally {
            if (!done) {
                free(mainloop, context, stream);
            }
        }
    }

    /**
     * Playback: writes {@code samples} 16-bit samples of {@code pcm} from {@code offset}, through
     * {@code buffer} (native memory of at least {@code bufferSamples} samples), as the server makes
     * room, blocking while it has none.
     *
     * @throws PulseException when the connection or the stream failed
     */
    void write(Memory buffer, int bufferSamples, short[] pcm, int offset, int samples) throws PulseException {
        countUnderflow();
        int done = 0;
        while (done < samples) {
            checkReady();
            long room = PulseNative.writableSize(stream) / 2;
            if (room == 0) {
                iterate(mainloop, context);
                continue;
            }
            int n = (int) Math.min(Math.min(room, samples - done), bufferSamples);
            buffer.write(0, pcm, offset + done, n);
            if (PulseNative.write(stream, buffer, 2L * n, null, 0L, PA_SEEK_RELATIVE) < 0) {
                throw failure(context);
            }
            done += n;
        }
    }

    /**
     * Record: reads {@code samples} 16-bit samples into {@code pcm} from {@code offset}, from the
     * fragments the server sent, blocking until enough have come. A hole in the stream (the
     * server lost data) reads as silence.
     *
     * @throws PulseException when the connection or the stream failed
     */
    void read(short[] pcm, int offset, int samples) throws PulseException {
        int done = 0;
        while (done < samples) {
            checkReady();
            if (PulseNative.pa_stream_peek(stream, peekData, peekBytes) < 0) {
                throw failure(context);
            }
            long bytes = Native.SIZE_T_SIZE == 8 ? peekBytes.getLong(0) : peekBytes.getInt(0) & 0xFFFF_FFFFL;
            if (bytes == 0) {
                iterate(mainloop, context);
                continue;
            }
            long address = Native.POINTER_SIZE == 8 ? peekData.getLong(0) : peekData.getInt(0) & 0xFFFF_FFFFL;
            int n = (int) Math.min((bytes - fragmentOffset) / 2, samples - done);
            if (address == 0) {
                Arrays.fill(pcm, offset + done, offset + done + n, (short) 0);
            } else {
                fragment.moveTo(address);
                fragment.read(fragmentOffset, pcm, offset + done, n);
            }
            done += n;
            fragmentOffset += 2L * n;
            if (bytes - fragmentOffset < 2) {
                if (PulseNative.pa_stream_drop(stream) < 0) {
                    throw failure(context);
                }
                fragmentOffset = 0;
            }
        }
    }

    /**
     * An underflow the server reported since the last call is counted: the stream keeps the write
     * index of the latest, which a callback would also give but at an allocation each (JNA's).
     */
    private void countUnderflow() {
        long at = PulseNative.pa_stream_get_underflow_index(stream);
        if (at != lastUnderflowIndex) {
            lastUnderflowIndex = at;
            if (at >= 0) {
                xruns.incrementAndGet();
            }
        }
    }

    /**
     * Underflows (playback; seen at the next write, so two in one frame count once) or overflows
     * (record) the server reported; any thread.
     */
    long xruns() {
        return xruns.get();
    }

    /** Disconnects and frees everything; once, never during a read or write. */
    void free() {
        free(mainloop, context, stream);
    }

    private void checkReady() throws PulseException {
        if (PulseNative.pa_stream_get_state(stream) != PA_STREAM_READY) {
            throw failure(context);
        }
    }

    private static void free(Pointer mainloop, Pointer context, Pointer stream) {
        if (stream != null) {
            PulseNative.pa_stream_disconnect(stream);
            PulseNative.pa_stream_unref(stream);
        }
        if (context != null) {
            PulseNative.pa_context_disconnect(context);
            PulseNative.pa_context_unref(context);
        }
        PulseNative.pa_mainloop_free(mainloop);
    }

    /** One turn of the main loop: waits for the server, then runs what it said. */
    private static void iterate(Pointer mainloop, Pointer context) throws PulseException {
        if (PulseNative.pa_mainloop_iterate(mainloop, 1, null) < 0) {
            throw failure(context);
        }
    }

    private static PulseException failure(Pointer context) {
        int error = PulseNative.pa_context_errno(context);
        return new PulseException(PulseNative.pa_strerror(error), error);
    }

    /** A pointer whose address is set, so that reading where libpulse points allocates nothing. */
    private static final class MovablePointer extends Pointer {
        MovablePointer() {
            super(0);
        }

        void moveTo(long address) {
            peer = address;
        }
    }

    /** A libpulse failure with its error code ({@code PA_ERR_*}, 0 when libpulse gave none). */
    static final class PulseException extends IOException {
        private static final long serialVersionUID = 1L;
        final int error;

        PulseException(String message, int error) {
            super(message);
            this.error = error;
        }
    }
}
