package dev.viz.audio.pulse;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a PulseAudio server with one record or playback stream, through libpulse's
 * asynchronous API, whose main loop is turned by the thread that reads or writes: no thread of
 * libpulse's own.
 *
 * <p>Why not the simple API: {@code pa_simple_read}/{@code pa_simple_write} wait on a threaded
 * main loop whose own thread ({@code threaded-ml}) wakes at every message of the server and then
 * wakes the reader or writer (docs/performance.md, "The stream's own main loop").
 *
 * <p><b>Record.</b> {@link #read} waits in {@code pa_mainloop_iterate} for the server's next
 * fragment.
 *
 * <p><b>Playback.</b> The server asks for more each time it played {@code minreq} (for a 20 ms
 * target it grants a target length of 15 ms with {@code minreq} 5 ms: four requests a 20 ms frame).
 * Answering each one woke the playback thread four times a frame and made it write a frame in four
 * pieces. {@link #write} instead writes a whole chunk at once (the server keeps more than its
 * target length when given it), then waits until the server has played its buffer down to the
 * low-water mark ({@link #lowWaterBytes}: 5 ms of the 15), so that the playout makes the next chunk
 * just before the server needs it. It learns the level from the requests ({@code
 * pa_stream_writable_size}: what the server asked for less what was written), but does not wake
 * for each: the requests come at the pace the server plays, so the thread sleeps until the one that
 * crosses the mark is due (by the time of an earlier request, the anchor) and then takes all the
 * messages that came meanwhile. Every {@value #REANCHOR_EVERY}th wait it wakes a millisecond early and
 * waits in the main loop for the request itself, which renews the anchor (two clocks drift); a
 * wait never lasts longer than the chunk it follows, so a stream that is not playing (prebuffering,
 * or stalled) cannot hold the thread. One wake-up a frame instead of four; with 20 ms frames the
 * listener's playback thread took 0.8-0.9 % of a core instead of 1.2-1.5 %, and mouth-to-ear fell
 * by about 5 ms (docs/performance.md, "One wake-up a frame").
 *
 * <p>Both ask for {@code PA_STREAM_ADJUST_LATENCY} as the simple API does, without its
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
    private static final long NO_ANCHOR = Long.MIN_VALUE;
    /** Playback: how long after a request is due the thread wakes to take it. */
    private static final long LATE_NS = 300_000;
    /** Playback: how long before a request is due the thread wakes when it takes a new anchor. */
    private static final long EARLY_NS = 1_000_000;
    /** Playback: sleeps by the anchor before the thread wakes early and takes a new one. */
    private static final int REANCHOR_EVERY = 25;
    /** Turns of the main loop that {@link #dispatchPending} takes at most: more than a frame's messages. */
    private static final int DISPATCH_TURNS_MAX = 64;
    /** Playback: the lowest low-water mark, whatever the buffer attributes. */
    private static final int LOW_WATER_MS_MIN = 5;

    private final Pointer mainloop;
    private final Pointer context;
    private final Pointer stream;
    /** Record: counts an overflow (a JNA callback, which allocates: overflows are rare). */
    private final PulseNative.StreamNotify onOverflow;
    /** Playback: the write index of the last underflow counted, -1 for none. */
    private long lastUnderflowIndex = -1;
    private final AtomicLong xruns;
    /** Sample values (all channels) a second. */
    private final long samplesPerSecond;
    /** Playback: the server's request size ({@code minreq}), in bytes; it asks this much each time it played as much. */
    private final long minreqBytes;
    /** Playback: how long the server takes to play {@link #minreqBytes}: the time between its requests. */
    private final long requestPeriodNs;
    /**
     * Playback: how much more the server must have asked for than was written ({@code
     * pa_stream_writable_size}) before {@link #write} returns: its target length less the
     * low-water mark.
     */
    private final long drainedLedgerBytes;
    /** Playback: when a request of the server came (or, predicted, was due), {@link #NO_ANCHOR} when not known. */
    private long anchorNs = NO_ANCHOR;
    private int sleepsSinceAnchor;
    /** Record: {@code pa_stream_peek}'s two out-parameters, a pointer and a {@code size_t}. */
    private final Memory peekData = new Memory(Native.POINTER_SIZE);
    private final Memory peekBytes = new Memory(Native.SIZE_T_SIZE);
    /** Record: where a peeked fragment's data is, moved rather than made anew at every read. */
    private final MovablePointer fragment = new MovablePointer();
    /** Record: bytes of the current fragment already read. */
    private long fragmentOffset;

    private PulseStream(Pointer mainloop, Pointer context, Pointer stream, AtomicLong xruns,
            PulseNative.StreamNotify onOverflow, long samplesPerSecond, long minreqBytes, long tlengthBytes) {
        this.mainloop = mainloop;
        this.context = context;
        this.stream = stream;
        this.samplesPerSecond = samplesPerSecond;
        this.minreqBytes = Math.max(2, minreqBytes);
        this.requestPeriodNs = this.minreqBytes / 2 * 1_000_000_000L / samplesPerSecond;
        this.drainedLedgerBytes = tlengthBytes - lowWaterBytes(tlengthBytes, this.minreqBytes, samplesPerSecond);
        this.xruns = xruns;
        this.onOverflow = onOverflow;
    }

    /**
     * Where the server's buffer may be played down to before the next chunk is written: two
     * requests below the target length (the server asks at every {@code minreq} it played, so the
     * thread learns the level only to a request), and never below {@value #LOW_WATER_MS_MIN} ms.
     */
    static long lowWaterBytes(long tlengthBytes, long minreqBytes, long samplesPerSecond) {
        long floorBytes = 2 * samplesPerSecond * LOW_WATER_MS_MIN / 1000;
        return Math.min(tlengthBytes, Math.max(floorBytes, tlengthBytes - 2 * minreqBytes));
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
            AtomicLong xruns = new AtomicLong();
            PulseNative.StreamNotify onOverflow = (s, userdata) -> xruns.incrementAndGet();
            int connected;
            if (record) {
                PulseNative.pa_stream_set_overflow_callback(stream, onOverflow, null);
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
            Pointer granted = PulseNative.pa_stream_get_buffer_attr(stream);
            if (granted == null) {
                throw failure(context);
            }
            PulseStream opened = new PulseStream(mainloop, context, stream, xruns, onOverflow,
                    (long) spec.rate * spec.channels, record ? 0 : granted.getInt(12), record ? 0 : granted.getInt(4));
            if (LOG.isDebugEnabled()) {
                LOG.debug("PulseAudio {} stream: asked tlength {} B, fragsize {} B; granted maxlength {}, tlength {},"
                        + " prebuf {}, minreq {}, fragsize {} B", record ? "record" : "playback", attr.tlength,
                        attr.fragsize, granted.getInt(0), granted.getInt(4), granted.getInt(8), granted.getInt(12),
                        granted.getInt(16));
                if (!record) {
                    LOG.debug("PulseAudio playback stream: low-water mark {} B, a request every {} us",
                            granted.getInt(4) - opened.drainedLedgerBytes, opened.requestPeriodNs / 1000);
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
     * {@code buffer} (native memory of at least {@code bufferSamples} samples), all at once, then
     * waits until the server has played its buffer down to the low-water mark, so that the caller
     * makes the next chunk when the server is about to need it (class comment).
     *
     * @throws PulseException when the connection or the stream failed
     */
    void write(Memory buffer, int bufferSamples, short[] pcm, int offset, int samples) throws PulseException {
        countUnderflow();
        checkReady();
        // What the server asked for less what was written. libpulse reads a debt (more written than
        // asked, as after a wait cut short by its deadline) as 0: the sleep below then ends early and
        // the wait in the main loop finds the level.
        long ledger = PulseNative.writableSize(stream);
        int done = 0;
        while (done < samples) {
            int n = Math.min(samples - done, bufferSamples);
            buffer.write(0, pcm, offset + done, n);
            if (PulseNative.write(stream, buffer, 2L * n, null, 0L, PA_SEEK_RELATIVE) < 0) {
                throw failure(context);
            }
            done += n;
        }
        ledger -= 2L * samples;
        dispatchPending();
        if (ledger >= drainedLedgerBytes) {
            return;
        }
        long nowNs = System.nanoTime();
        long deadlineNs = nowNs + samples * 1_000_000_000L / samplesPerSecond;
        sleepUntilDue((drainedLedgerBytes - ledger + minreqBytes - 1) / minreqBytes, nowNs, deadlineNs);
        while (PulseNative.writableSize(stream) < drainedLedgerBytes) {
            long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0) {
                // The server is not playing (prebuffering after an underflow, or stalled): the
                // thread is never held longer than the audio it wrote lasts.
                anchorNs = NO_ANCHOR;
                return;
            }
            if (waitForServer(leftNs) > 0) {
                anchorNs = System.nanoTime();
            }
            checkReady();
        }
    }

    /**
     * Sleeps until the {@code requests}-th request of the server from the anchor is due (a little
     * after it, or every {@value #REANCHOR_EVERY}th time a little before it, so that the wait in
     * the main loop that follows takes the anchor from the request itself), then runs every
     * message that came meanwhile. Without an anchor, or with one too old to trust, it returns at
     * once and the caller waits in the main loop.
     */
    private void sleepUntilDue(long requests, long nowNs, long deadlineNs) throws PulseException {
        if (anchorNs == NO_ANCHOR) {
            return;
        }
        long dueNs = anchorNs + requests * requestPeriodNs;
        if (dueNs <= nowNs || dueNs - nowNs > 2 * (deadlineNs - nowNs) + requestPeriodNs) {
            anchorNs = NO_ANCHOR;
            return;
        }
        boolean reanchor = ++sleepsSinceAnchor >= REANCHOR_EVERY;
        long sleepNs = dueNs - nowNs + (reanchor ? -EARLY_NS : LATE_NS);
        LockSupport.parkNanos(Math.min(sleepNs, deadlineNs - nowNs));
        if (reanchor) {
            sleepsSinceAnchor = 0;
            anchorNs = NO_ANCHOR;
        } else {
            anchorNs = dueNs;
        }
        dispatchPending();
    }

    /** Runs what is ready without waiting: the server's messages, and the sending of what was written. */
    private void dispatchPending() throws PulseException {
        // libpulse sends from a deferred event of the main loop and reads one message a turn; the
        // bound keeps a source that stays ready (none is known) from holding the thread.
        for (int turn = 0; turn < DISPATCH_TURNS_MAX; turn++) {
            int dispatched = PulseNative.pa_mainloop_iterate(mainloop, 0, null);
            if (dispatched < 0) {
                throw failure(context);
            }
            if (dispatched == 0) {
                return;
            }
        }
    }

    /**
     * One turn of the main loop that waits at most {@code timeoutNs} for the server.
     *
     * @return the number of descriptors that became ready: 0 when the wait timed out
     */
    private int waitForServer(long timeoutNs) throws PulseException {
        int timeoutUs = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeoutNs / 1000));
        if (PulseNative.pa_mainloop_prepare(mainloop, timeoutUs) < 0) {
            throw failure(context);
        }
        int ready = PulseNative.pa_mainloop_poll(mainloop);
        if (ready < 0 || PulseNative.pa_mainloop_dispatch(mainloop) < 0) {
            throw failure(context);
        }
        return ready;
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
