package dev.viz.audio.pulse;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A playback stream on a PulseAudio sink through libpulse's asynchronous API, whose main loop is
 * run by the thread that writes: {@link #write} hands the frame to the server in pieces as the
 * server asks for them, and while it waits for room it turns the loop itself ({@code
 * pa_mainloop_iterate}), so the server's requests wake that one thread.
 *
 * <p>Why not the simple API, as the input does: {@code pa_simple_write} runs a threaded main loop
 * whose own thread ({@code threaded-ml}) wakes at every request of the server (about four a frame)
 * and wakes the writer in turn. In a listener those two threads took 1.3-1.65 % and 1.2-1.55 % of a
 * core (docs/performance.md, "The playback stream's own main loop"). A record stream with one
 * frame of fragment wakes once a frame, so the input keeps the simple API.
 *
 * <p>The stream asks for {@code PA_STREAM_ADJUST_LATENCY} as the simple API does, without its
 * timing-update flags (nothing here reads the stream's timing). Underflows reported by the server
 * are counted ({@link #underflows()}).
 *
 * <p>Threads: {@link #open} and {@link #write} on the one thread that uses the stream;
 * {@link #free()} once, from the thread the guard in {@link PulseDevice} names, never during a write.
 */
final class PulsePlaybackStream {
    private static final int PA_STREAM_READY = 2;
    private static final int PA_STREAM_FAILED = 3;
    private static final int PA_STREAM_TERMINATED = 4;
    /** {@code PA_STREAM_ADJUST_LATENCY}: the server sets the sink's latency from the target length. */
    private static final int PA_STREAM_ADJUST_LATENCY = 0x2000;
    /** {@code PA_SEEK_RELATIVE}: append to what was written. */
    private static final int PA_SEEK_RELATIVE = 0;

    private final Pointer mainloop;
    private final Pointer context;
    private final Pointer stream;
    private final PulseNative.StreamNotify onUnderflow;
    private final AtomicLong underflows = new AtomicLong();

    private PulsePlaybackStream(Pointer mainloop, Pointer context, Pointer stream) {
        this.mainloop = mainloop;
        this.context = context;
        this.stream = stream;
        this.onUnderflow = (s, userdata) -> underflows.incrementAndGet();
    }

    /**
     * Connects to the server and opens a playback stream on {@code device} (null: the default sink).
     *
     * @throws PulseException with libpulse's error code when the server or the sink is not there
     */
    static PulsePlaybackStream open(String device, PulseNative.SampleSpec spec, PulseNative.BufferAttr attr,
            String streamName) throws PulseException {
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
            PulsePlaybackStream opened = new PulsePlaybackStream(mainloop, context, stream);
            PulseNative.pa_stream_set_underflow_callback(stream, opened.onUnderflow, null);
            if (PulseNative.pa_stream_connect_playback(stream, device, attr, PA_STREAM_ADJUST_LATENCY, null, null) < 0) {
                throw failure(context);
            }
            while ((state = PulseNative.pa_stream_get_state(stream)) != PA_STREAM_READY) {
                if (state == PA_STREAM_FAILED || state == PA_STREAM_TERMINATED) {
                    throw failure(context);
                }
                iterate(mainloop, context);
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
     * Writes {@code samples} 16-bit samples of {@code pcm} from {@code offset}, through {@code
     * buffer} (native memory of at least {@code bufferSamples} samples), blocking while the server
     * has no room. Allocates nothing.
     *
     * @throws PulseException when the connection or the stream failed
     */
    void write(Memory buffer, int bufferSamples, short[] pcm, int offset, int samples) throws PulseException {
        int done = 0;
        while (done < samples) {
            if (PulseNative.pa_stream_get_state(stream) != PA_STREAM_READY) {
                throw failure(context);
            }
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

    /** Underflows the server reported (the sink ran out of this stream's audio); any thread. */
    long underflows() {
        return underflows.get();
    }

    /** Disconnects and frees everything; once, never during a {@link #write}. */
    void free() {
        free(mainloop, context, stream);
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
