package dev.viz.audio.pulse;

import com.sun.jna.Memory;
import dev.viz.audio.internal.DeviceReopener;
import dev.viz.audio.internal.StreamGuard;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;

/**
 * A source (microphone) or sink (speaker) of a PulseAudio server: one connection with one stream
 * ({@link PulseStream}) per open, whose main loop the capture or playback thread turns itself while
 * {@link #read} waits for audio or {@link #write} for the server to play down its buffer (no thread
 * of libpulse's own). Both block as the device does. Made by {@link PulseBackend}.
 *
 * <p><b>Latency.</b> The stream asks the server for one frame of buffering each way, at most
 * {@value #OUTPUT_BUFFER_MS_MAX} ms for an output ({@link #LATENCY_AUTO}; {@link
 * PulseBackend#device(String, boolean, int)} sets another figure): an output's target length
 * ({@code tlength}) and an input's fragment size ({@code fragsize}), with
 * the server adjusting the device's own latency to them ({@code PA_STREAM_ADJUST_LATENCY}). docs/audio.md has the measurements.
 *
 * <p><b>Errors.</b> {@link #xruns()} counts the underflows (output) and overflows (input) the
 * server reports. A failed read or write means the connection or the device is gone
 * (the server restarted, the device was unplugged): it throws {@link IOException}, and the session
 * closes and reopens the device with backoff; a named device that cannot be opened again
 * {@value #FOLLOW_DEFAULT_AFTER_FAILURES} times in a row is replaced by the server's
 * default, logged once and counted, so the call goes on.
 *
 * <p><b>Threads.</b> {@link #open}, {@link #read}/{@link #write} from the one thread that uses the
 * device; {@link #close()} from any thread: a close that arrives while a read or write is blocked
 * leaves the connection to be freed by that thread when the call returns (within one frame). Reads
 * and writes allocate nothing and take no lock of Viz's (the main loop is the thread's own).
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

    private volatile Connection connection;
    private Memory buffer;
    private int bufferSamples;
    private volatile String openedDevice;
    /** Xruns of the connections already freed. */
    private volatile long xrunsClosed;

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
        String device = PulseBackend.serverDevice(target);
        PulseStream stream;
        try {
            stream = input ? PulseStream.openRecord(device, sampleSpec, attr, "microphone")
                    : PulseStream.openPlayback(device, sampleSpec, attr, "voice call");
        } catch (PulseStream.PulseException e) {
            throw new IOException(PulseBackend.openFailure(target, input, e.error), e);
        }
        openedDevice = PulseBackend.ID_PREFIX + target;
        return new Connection(stream);
    }

    /** Capture thread. Blocks until {@code samples} samples have arrived. */
    @Override
    public int read(short[] pcm, int offset, int samples) throws IOException {
        Connection c = connection;
        if (c == null || !input) {
            throw new IOException(name + " is not open for input");
        }
        if (!c.enter()) {
            throw new IOException(name + " was closed");
        }
        try {
            c.stream.read(pcm, offset, samples);
        } catch (PulseStream.PulseException e) {
            throw new IOException("PulseAudio input " + openedDevice + " failed: " + e.getMessage(), e);
        } finally {
            c.exit();
        }
        return samples;
    }

    /**
     * Playback thread. Hands the server the whole chunk, then blocks until the server has played
     * its buffer down to the low-water mark, so that the next chunk is made just before it is
     * needed (never longer than the chunk lasts; {@link PulseStream}).
     */
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
            c.stream.write(buffer, bufferSamples, pcm, offset, samples);
        } catch (PulseStream.PulseException e) {
            throw new IOException("PulseAudio output " + openedDevice + " failed: " + e.getMessage(), e);
        } finally {
            c.exit();
        }
    }

    /**
     * The underflows (output) or overflows (input) the server reported on the connections this
     * device opened: glitches of the server's buffer for the call, not failures.
     */
    @Override
    public long xruns() {
        Connection c = connection;
        return xrunsClosed + (c == null ? 0 : c.stream.xruns());
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
    private final class Connection extends StreamGuard {
        final PulseStream stream;

        Connection(PulseStream stream) {
            this.stream = stream;
        }

        @Override
        protected void release() {
            xrunsClosed += stream.xruns();
            stream.free();
        }
    }
}
