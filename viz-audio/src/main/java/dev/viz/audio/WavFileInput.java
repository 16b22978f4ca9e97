package dev.viz.audio;

import dev.viz.audio.internal.DeviceGate;
import dev.viz.audio.internal.FrameClock;
import dev.viz.audio.internal.PcmFiles;
import dev.viz.audio.internal.PcmSource;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A WAV file as a microphone ({@code wav:FILE}): plays the file into the call, then ends the stream.
 *
 * <p>Reads any common PCM WAV (8, 16 or 24-bit, any rate, mono or stereo) and converts it to the
 * session's format while streaming: Java Sound converts where it can; where it cannot, Viz mixes the
 * channels and resamples by linear interpolation. The last frame is padded with silence; after it,
 * {@link #read} returns {@link #END_OF_STREAM} (and keeps returning it). Opening it again after
 * {@link #close} starts from the beginning of the file.
 *
 * <p>Paced by default: one frame per frame period, as a microphone delivers them, against a
 * deadline clock that does not drift. {@link #unpaced(Path)} reads as fast as the caller asks (for
 * tests and offline processing).
 *
 * <p>Threads: {@link #read} from one thread, {@link #close} from any (it wakes a paced read, which
 * then throws an {@link IOException}).
 */
public final class WavFileInput implements AudioDevice {
    private final Path file;
    private final boolean paced;
    private final FrameClock clock = new FrameClock(true);
    private final DeviceGate gate = new DeviceGate();
    private volatile PcmSource source;
    private int channels;
    private boolean ended;

    /** A paced input reading {@code file}. */
    public WavFileInput(Path file) {
        this(file, true);
    }

    private WavFileInput(Path file, boolean paced) {
        this.file = Objects.requireNonNull(file, "file");
        this.paced = paced;
    }

    /** An input reading {@code file} as fast as the caller asks. */
    public static WavFileInput unpaced(Path file) {
        return new WavFileInput(file, false);
    }

    @Override
    public String name() {
        return "wav:" + file;
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** Whether reads wait in real time. */
    public boolean isPaced() {
        return paced;
    }

    @Override
    public boolean supports(Direction direction) {
        return direction == Direction.INPUT;
    }

    /**
     * Opens the file from its beginning.
     *
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws IOException when it is not audio Java Sound can decode, or for the output direction
     */
    @Override
    public void open(Direction direction, AudioFormat format) throws IOException {
        if (direction != Direction.INPUT) {
            throw new IOException(name() + " is an input; to record into a WAV file use an output wav:FILE");
        }
        if (gate.close()) {
            closeSource();
        }
        source = PcmFiles.open(file, format.sampleRateHz(), format.channels(), PcmFiles.Conversion.JAVA_SOUND);
        channels = format.channels();
        ended = false;
        clock.start(format.sampleRateHz());
        gate.opened();
    }

    /**
     * Capture thread. Fills one frame (padding the file's last one with silence), waits for its time
     * when paced, and returns {@code samples}; {@link #END_OF_STREAM} once the file is exhausted.
     *
     * @throws IOException when the device is not open or was closed while waiting, or the file
     *     cannot be read
     */
    @Override
    public int read(short[] pcm, int offset, int samples) throws IOException {
        if (!gate.enter()) {
            throw new IOException(name() + " is not open");
        }
        int filled = 0;
        try {
            while (!ended && filled < samples) {
                int n = source.read(pcm, offset + filled, samples - filled);
                if (n < 0) {
                    ended = true;
                } else {
                    filled += n;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!gate.exit()) {
                closeSource();
            }
            throw e instanceof IOException io ? io : new IOException(name() + ": " + e, e);
        }
        if (!gate.exit()) {
            closeSource();
            throw new IOException(name() + " was closed");
        }
        if (filled == 0) {
            return END_OF_STREAM;
        }
        Arrays.fill(pcm, offset + filled, offset + samples, (short) 0);
        if (paced && !clock.await(samples / channels)) {
            throw new IOException(name() + " was closed");
        }
        return samples;
    }

    /** @throws IOException always: this device is an input */
    @Override
    public void write(short[] pcm, int offset, int samples) throws IOException {
        throw new IOException(name() + " is an input");
    }

    @Override
    public long xruns() {
        return clock.xruns();
    }

    /** Closes the file and wakes a paced read. Idempotent. */
    @Override
    public void close() {
        clock.stop();
        if (gate.close()) {
            closeSource();
        }
    }

    private void closeSource() {
        PcmSource s = source;
        source = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing a file we only read: nothing is lost.
            }
        }
    }

    @Override
    public String toString() {
        return name() + (paced ? "" : " (unpaced)");
    }
}
