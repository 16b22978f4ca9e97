package dev.viz.audio;

import dev.viz.audio.internal.DeviceGate;
import dev.viz.audio.internal.PcmFiles;
import dev.viz.audio.internal.PcmSource;
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
public final class WavFileInput extends PacedDevice {
    private final Path file;
    private final DeviceGate gate = new DeviceGate();
    private volatile PcmSource source;
    private boolean ended;

    /** A paced input reading {@code file}. */
    public WavFileInput(Path file) {
        this(file, true);
    }

    private WavFileInput(Path file, boolean paced) {
        super("wav:" + file, Direction.INPUT, paced, "to record into a WAV file use an output wav:FILE");
        this.file = Objects.requireNonNull(file, "file");
    }

    /** An input reading {@code file} as fast as the caller asks. */
    public static WavFileInput unpaced(Path file) {
        return new WavFileInput(file, false);
    }


    /** The file read. */
    public Path file() {
        return file;
    }

    /**
     * Opens the file from its beginning.
     *
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws IOException when it is not audio Java Sound can decode
     */
    @Override
    protected void onOpen(AudioFormat format) throws IOException {
        if (gate.close()) {
            closeSource();
        }
        source = PcmFiles.open(file, format.sampleRateHz(), format.channels(), PcmFiles.Conversion.JAVA_SOUND);
        ended = false;
        gate.opened();
    }

    /**
     * Capture thread. Fills one frame (padding the file's last one with silence); {@link
     * #END_OF_STREAM} once the file is exhausted.
     *
     * @throws IOException when the device was closed, or the file cannot be read
     */
    @Override
    protected int fill(short[] pcm, int offset, int samples) throws IOException {
        if (!gate.enter()) {
            throw new IOException(name() + " was closed");
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
        return samples;
    }

    /** Closes the file (now, or when a read in progress ends). */
    @Override
    protected void onClose() {
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
}
