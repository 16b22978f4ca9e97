package dev.viz.audio.javasound;

import dev.viz.audio.internal.DeviceReopener;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.DataLine;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.Mixer;
import javax.sound.sampled.SourceDataLine;
import javax.sound.sampled.TargetDataLine;

/**
 * A microphone ({@link TargetDataLine}) or speaker ({@link SourceDataLine}) through Java Sound,
 * with the same contract as the PortAudio device: blocking reads and writes on the session's
 * capture or playback thread, paced by the line; signed 16-bit little-endian samples. Made by
 * {@link JavaSoundBackend}.
 *
 * <p><b>Errors.</b> Java Sound does not report overflows and underflows, so they are inferred and
 * counted in {@link #xruns()}: a capture line found full before a read has overflowed (counted
 * once until it is read down; on a sound card input was lost, while a sound server may still hold
 * it); a playback line left without a write for longer than its buffer holds has run dry. A read
 * or write that returns short while the line is open means the device is gone: it throws
 * {@link IOException} and the session reopens the device. A named mixer that cannot be opened
 * again {@value #FOLLOW_DEFAULT_AFTER_FAILURES} times in a row is replaced by the default (logged
 * once and counted).
 *
 * <p><b>Latency.</b> The line's buffer is one frame plus {@value #SLACK_MS} ms (60 ms with 40 ms
 * frames) unless {@link JavaSoundBackend#device(String, boolean, int)} was given another size: a
 * buffer of exactly one frame stalled for hundreds of ms behind PulseAudio's ALSA plugin.
 * docs/audio.md has the measured figures.
 *
 * <p><b>Threads.</b> {@link #open}, {@link #read}/{@link #write} from the one thread that uses the
 * device; {@link #close()} and the counters from any thread (Java Sound's lines may be closed while
 * another thread reads or writes: the call returns early). Reads and writes allocate nothing.
 */
public final class JavaSoundDevice implements AudioDevice {
    /** Failed reopens of a named mixer after which the default is followed instead. */
    public static final int FOLLOW_DEFAULT_AFTER_FAILURES = DeviceReopener.FOLLOW_DEFAULT_AFTER_FAILURES;
    /** Buffer setting meaning one frame plus {@value #SLACK_MS} ms (the default). */
    public static final int BUFFER_AUTO = 0;
    /** What the default buffer holds beyond one frame. */
    public static final int SLACK_MS = 20;

    private final JavaSoundBackend backend;
    private final String spec;
    private final boolean input;
    private final String name;
    private final int bufferMs;

    private volatile DataLine line;
    private byte[] bytes = new byte[0];
    private int lineBufferBytes;
    /** A capture line holding this much (its buffer less 1 ms) is full. */
    private int fullBytes;
    private boolean lineWasFull;
    private long lineBufferNs;
    private long lastWriteEndNs;
    private final DeviceReopener reopener;

    private volatile String openedMixer;
    private volatile int lineBufferMs;

    JavaSoundDevice(JavaSoundBackend backend, String spec, boolean input, int bufferMs) {
        this.backend = backend;
        this.spec = spec;
        this.input = input;
        this.name = JavaSoundBackend.ID_PREFIX + spec;
        this.bufferMs = bufferMs;
        this.reopener = new DeviceReopener(name, spec.equalsIgnoreCase(JavaSoundBackend.DEFAULT_SPEC), input);
    }

    /** {@code javasound:SPEC}, for example {@code javasound:default}. */
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
        if (line != null) {
            throw new IOException(name + " is already open");
        }
        backend.ensureAvailability();
        DataLine opened = reopener.open(systemDefault ->
                openLine(systemDefault ? null : JavaSoundBackend.resolve(spec, input, format.channels()), format));
        int frameBytes = format.frameSamples() * 2;
        if (bytes.length < frameBytes) {
            bytes = new byte[frameBytes];
        }
        lineWasFull = false;
        lastWriteEndNs = 0;
        line = opened;
    }

    private DataLine openLine(Mixer.Info mixer, AudioFormat format) throws IOException {
        javax.sound.sampled.AudioFormat lineFormat =
                JavaSoundBackend.lineFormat(format.sampleRateHz(), format.channels());
        DataLine.Info info = new DataLine.Info(input ? TargetDataLine.class : SourceDataLine.class, lineFormat);
        int bytesPerMs = format.sampleRateHz() / 1000 * format.channels() * 2;
        int wantedMs = bufferMs == BUFFER_AUTO ? format.frameMs() + SLACK_MS : bufferMs;
        DataLine dataLine = null;
        String where = mixer == null ? "the default mixer" : "mixer '" + mixer.getName() + "'";
        try {
            dataLine = (DataLine) (mixer == null ? AudioSystem.getLine(info) : AudioSystem.getMixer(mixer).getLine(info));
            if (input) {
                ((TargetDataLine) dataLine).open(lineFormat, wantedMs * bytesPerMs);
            } else {
                ((SourceDataLine) dataLine).open(lineFormat, wantedMs * bytesPerMs);
            }
            dataLine.start();
        } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
            if (dataLine != null) {
                dataLine.close();
            }
            throw new IOException("cannot open Java Sound " + (input ? "input" : "output") + " on " + where + " at "
                    + format.sampleRateHz() + " Hz, 16-bit, " + format.channels() + " ch: " + e.getMessage()
                    + " (is the device busy or missing, is the sound server running, may this user use audio?)", e);
        }
        lineBufferBytes = dataLine.getBufferSize();
        fullBytes = Math.max(1, lineBufferBytes - bytesPerMs);
        lineBufferNs = (long) lineBufferBytes * 1_000_000L / bytesPerMs;
        lineBufferMs = lineBufferBytes / bytesPerMs;
        openedMixer = mixer == null ? JavaSoundBackend.DEFAULT_SPEC : mixer.getName();
        return dataLine;
    }

    /** Capture thread. Blocks until {@code samples} samples have arrived. */
    @Override
    public int read(short[] pcm, int offset, int samples) throws IOException {
        DataLine l = line;
        if (!(l instanceof TargetDataLine target)) {
            throw new IOException(name + " is not open for input");
        }
        int length = samples * 2;
        if (length > bytes.length) {
            throw new IOException(name + ": read of " + samples + " samples is longer than a frame");
        }
        if (target.available() >= fullBytes) {
            if (!lineWasFull) {
                lineWasFull = true;
                reopener.xrun();
            }
        } else {
            lineWasFull = false;
        }
        int got = target.read(bytes, 0, length);
        if (got < length) {
            if (line == null) {
                throw new IOException(name + " was closed");
            }
            throw new IOException("Java Sound input " + openedMixer + " stopped delivering (" + got + " of "
                    + length + " bytes): the device is gone");
        }
        for (int i = 0; i < samples; i++) {
            pcm[offset + i] = (short) ((bytes[2 * i] & 0xFF) | (bytes[2 * i + 1] << 8));
        }
        return samples;
    }

    /** Playback thread. Blocks while the line's buffer is full. */
    @Override
    public void write(short[] pcm, int offset, int samples) throws IOException {
        DataLine l = line;
        if (!(l instanceof SourceDataLine source)) {
            throw new IOException(name + " is not open for output");
        }
        // The playout may hand over more or less than a frame (it stretches and shrinks audio to
        // follow jitter and clock drift), so the samples go out in chunks of the line's buffer.
        int chunkSamples = bytes.length / 2;
        for (int done = 0; done < samples; done += chunkSamples) {
            int n = Math.min(chunkSamples, samples - done);
            for (int i = 0; i < n; i++) {
                short s = pcm[offset + done + i];
                bytes[2 * i] = (byte) s;
                bytes[2 * i + 1] = (byte) (s >> 8);
            }
            int length = n * 2;
            long startNs = System.nanoTime();
            if (lastWriteEndNs != 0 && startNs - lastWriteEndNs > lineBufferNs) {
                reopener.xrun();
            }
            int put = source.write(bytes, 0, length);
            lastWriteEndNs = System.nanoTime();
            if (put < length) {
                if (line == null) {
                    throw new IOException(name + " was closed");
                }
                throw new IOException("Java Sound output " + openedMixer + " stopped taking audio (" + put + " of "
                        + length + " bytes): the device is gone");
            }
        }
    }

    /** Inferred overflows (input) or underflows (output). */
    @Override
    public long xruns() {
        return reopener.xruns();
    }

    /** The reopen and follow-the-default state with its counters (opens, defaults followed); for tests. */
    DeviceReopener reopener() {
        return reopener;
    }

    /** The line buffer Java Sound granted at the last open, in ms (0 before the first open). */
    public int lineBufferMs() {
        return lineBufferMs;
    }

    /** The mixer the last open used ({@code default} for Java Sound's choice), or null before the first open. */
    public String openedMixer() {
        return openedMixer;
    }

    @Override
    public void close() {
        DataLine l = line;
        if (l != null) {
            line = null;
            l.stop();
            l.flush();
            l.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
