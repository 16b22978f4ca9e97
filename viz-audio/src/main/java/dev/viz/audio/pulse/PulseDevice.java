package dev.viz.audio.pulse;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import dev.viz.audio.internal.DeviceReopener;
import dev.viz.audio.internal.StreamGuard;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;

/**
 * A source (microphone) or sink (speaker) of a PulseAudio server. {@link #read} calls the simple
 * API's {@code pa_simple_read}; {@link #write} hands the frame to a {@link PulsePlaybackStream},
 * whose main loop the playback thread turns while it waits for room (no thread of libpulse's own
 * wakes at each of the server's requests). Both block as the device does, on the session's capture
 * or playback thread. Made by {@link PulseBackend}.
 *
 * <p><b>Latency.</b> The stream asks the server for one frame of buffering each way, at most
 * {@value #OUTPUT_BUFFER_MS_MAX} ms for an output ({@link #LATENCY_AUTO}; {@link
 * PulseBackend#device(String, boolean, int)} sets another figure): an output's target length
 * ({@code tlength}) and an input's fragment size ({@code fragsize}), with
 * the server adjusting the device's own latency to them ({@code PA_STREAM_ADJUST_LATENCY}, which
 * the simple API sets). docs/audio.md has the measurements.
 *
 * <p><b>Errors.</b> An output's {@link #xruns()} counts the underflows the server reports; an
 * input's stays 0 (the simple API does not report overflows). A failed read or write means the connection or the device is gone
 * (the server restarted, the device was unplugged): it throws {@link IOException}, and the session
 * closes and reopens the device with backoff; a named device that cannot be opened again
 * {@value #FOLLOW_DEFAULT_AFTER_FAILURES} times in a row is replaced by the server's
 * default, logged once and counted, so the call goes on.
 *
 * <p><b>Threads.</b> {@link #open}, {@link #read}/{@link #write} from the one thread that uses the
 * device; {@link #close()} from any thread: a close that arrives while a read or write is blocked
 * leaves the connection to be freed by that thread when the call returns (within one frame). Reads
 * and writes allocate nothing and take no lock of Viz's (libpulse locks its own mainloop).
 */
public final class PulseDevice implements AudioDevice {
    /** Failed reopens of a named device after which the server's default is followed instead. */
    public static final int FOLLOW_DEFAULT_AFTER_FAILURES = DeviceReopener.FOLLOW_DEFAULT_AFTER_FAILURES;
    /** Latency setting meaning the default: one frame of buffering, at most {@value #OUTPUT_BUFFER_MS_MAX} ms for an output. */
    public static final int LATENCY_AUTO = 0;
    /**
     * The most an output buffers by default: the playback thread comes back within 20 ms with
     * 20 ms frames (the low-latency profile) and may as well with 40 ms ones, whose frames then wait
     * 20 ms less in the server (tunnel: 380 → 367 ms mouth-to-ear, docs/performance.md).
     */
    public static final int OUTPUT_BUFFER_MS_MAX = 20;

    private final String spec;
    private final boolean input;
    private final int latencyMs;
    private final String name;
    private final DeviceReopener reopener;
    private final Memory error = new Memory(4);

    private volatile Connection connection;
    private Memory buffer;
    private int bufferSamples;
    private NativeLong bytesArg = new NativeLong(0);
    private volatile String openedDevice;
    /** Underflows of the playback connections already freed. */
    private volatile long underflowsClosed;

    PulseDevice(String spec, boolean input, int latencyMs) {
        this.spec = spec;
        this.input = input;
        this.latencyMs = latencyMs;
        this.name = PulseBackend.ID_PREFIX + spec;
        this.reopener = new DeviceReopener(name, spec.equals(PulseBackend.DEFAULT_SPEC), input);
    }

    /** {@code pulse:SPEC}, for example {@code pulse:default}. */
    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean supports(Direction direction) {
        return (direction == Direction.INPUT) == input;
    }

    @Override
    public void open(Direction direction, AudioFormat format) throws IOException {
        if (!supports(direction)) {
            throw new IOException(name + " cannot be an " + direction.name().toLowerCase());
        }
        if (connection != null) {
            throw new IOException(name + " is already open");
        }
        PulseBackend.system().ensureAvailability();
        int frameSamples = format.frameSamplesPerChannel() * format.channels();
        if (buffer == null || bufferSamples < frameSamples) {
            buffer = new Memory(2L * frameSamples);
        }
        bufferSamples = frameSamples;
        connection = reopener.open(systemDefault -> connect(systemDefault ? PulseBackend.DEFAULT_SPEC : spec, format));
    }

    private Connection connect(String target, AudioFormat format) throws IOException {
        PulseNative.SampleSpec sampleSpec = PulseNative.int16(format.sampleRateHz(), format.channels());
        int bufferMs = latencyMs != LATENCY_AUTO ? latencyMs
                : input ? format.frameMs() : Math.min(format.frameMs(), OUTPUT_BUFFER_MS_MAX);
        int bufferBytes = (int) (2L * format.channels() * format.sampleRateHz() * bufferMs / 1000);
        PulseNative.BufferAttr attr = new PulseNative.BufferAttr();
        if (input) {
            attr.fragsize = bufferBytes;
        } else {
            attr.tlength = bufferBytes;
        }
        if (!input) {
            PulsePlaybackStream stream;
            try {
                stream = PulsePlaybackStream.open(PulseBackend.serverDevice(target), sampleSpec, attr, "voice call");
            } catch (PulsePlaybackStream.PulseException e) {
                throw new IOException(PulseBackend.openFailure(target, false, e.error), e);
            }
            openedDevice = PulseBackend.ID_PREFIX + target;
            return new PlaybackConnection(stream);
        }
        error.setInt(0, 0);
        Pointer handle = PulseNative.pa_simple_new(null, PulseBackend.CLIENT_NAME, PulseNative.PA_STREAM_RECORD,
                PulseBackend.serverDevice(target), "microphone", sampleSpec, null, attr, error);
        if (handle == null) {
            throw new IOException(PulseBackend.openFailure(target, true, error.getInt(0)));
        }
        openedDevice = PulseBackend.ID_PREFIX + target;
        return new RecordConnection(handle);
    }

    /** Capture thread. Blocks until {@code samples} samples have arrived. */
    @Override
    public int read(short[] pcm, int offset, int samples) throws IOException {
        Connection c = connection;
        if (c == null || !input) {
            throw new IOException(name + " is not open for input");
        }
        int done = 0;
        while (done < samples) {
            int n = Math.min(samples - done, bufferSamples);
            int err;
            if (!c.enter()) {
                throw new IOException(name + " was closed");
            }
            try {
                err = PulseNative.pa_simple_read(((RecordConnection) c).handle, buffer, byteCount(n), error);
            } finally {
                c.exit();
            }
            if (err < 0) {
                throw new IOException("PulseAudio input " + openedDevice + " failed: "
                        + PulseNative.pa_strerror(error.getInt(0)));
            }
            buffer.read(0, pcm, offset + done, n);
            done += n;
        }
        return samples;
    }

    /** Playback thread. Blocks while the server's buffer for this stream is full. */
    @Override
    public void write(short[] pcm, int offset, int samples) throws IOException {
        Connection c = connection;
        if (c == null || input) {
            throw new IOException(name + " is not open for output");
        }
        if (!c.enter()) {
            throw new IOException(name + " was closed");
        }
        try {
            ((PlaybackConnection) c).stream.write(buffer, bufferSamples, pcm, offset, samples);
        } catch (PulsePlaybackStream.PulseException e) {
            throw new IOException("PulseAudio output " + openedDevice + " failed: " + e.getMessage(), e);
        } finally {
            c.exit();
        }
    }

    /**
     * For an output, the underflows the server reported on the connections this device opened (the
     * sink ran dry of the call's audio); an input's stay 0: the simple API it uses does not report
     * overflows.
     */
    @Override
    public long xruns() {
        return underflowsClosed + (connection instanceof PlaybackConnection p ? p.stream.underflows() : 0);
    }

    private NativeLong byteCount(int samples) {
        if (bytesArg.longValue() != 2L * samples) {
            bytesArg = new NativeLong(2L * samples);
        }
        return bytesArg;
    }

    /** What the last open connected to, for example {@code pulse:default}, or null before the first open. */
    public String openedDevice() {
        return openedDevice;
    }

    /** The reopen and follow-the-default state with its counters; for tests. */
    DeviceReopener reopener() {
        return reopener;
    }

    @Override
    public void close() {
        Connection c = connection;
        if (c != null) {
            connection = null;
            c.requestClose();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** One connection to the server with its stream; {@link StreamGuard} says who may free it. */
    private abstract static class Connection extends StreamGuard {
    }

    /** A record stream of the simple API. */
    private static final class RecordConnection extends Connection {
        final Pointer handle;

        RecordConnection(Pointer handle) {
            this.handle = handle;
        }

        @Override
        protected void release() {
            PulseNative.pa_simple_free(handle);
        }
    }

    /** A playback stream with its own main loop. */
    private final class PlaybackConnection extends Connection {
        final PulsePlaybackStream stream;

        PlaybackConnection(PulsePlaybackStream stream) {
            this.stream = stream;
        }

        @Override
        protected void release() {
            underflowsClosed += stream.underflows();
            stream.free();
        }
    }
}
