package dev.viz.audio;

import dev.viz.audio.internal.DeviceGate;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WAV file as a speaker ({@code wav:FILE} as an output): records what the call plays, as 16-bit
 * PCM WAV at the session's format (48 kHz mono by default).
 *
 * <p>Written as it streams, never held in memory. The 44-byte header is written first with zero
 * sizes, patched with the sizes so far about once per second of audio (so a file cut short by a
 * crash is still readable up to the last patch) and patched for good by {@link #close}, which the
 * session calls however it ends. WAV cannot describe more than 4 GiB of data (about 12 hours at 48
 * kHz mono); audio beyond that is dropped and counted as xruns.
 *
 * <p>Opening replaces the file. Paced by default, as a speaker is: each {@link #write} returns when
 * the previous frame "has played", against a deadline clock that does not drift; {@link
 * #unpaced(Path)} writes as fast as the caller asks.
 *
 * <p>Threads: {@link #write} from one thread, {@link #close} from any (it wakes a paced write, which
 * then throws an {@link IOException}).
 *
 * <pre>
 * offset  field (little-endian)
 *  0      "RIFF"
 *  4      36 + data bytes           (patched)
 *  8      "WAVE"
 * 12      "fmt " , 16, format 1 (PCM), channels, rate, bytes/s, block align, 16 bits
 * 36      "data"
 * 40      data bytes                (patched)
 * 44      samples ...
 * </pre>
 */
public final class WavFileOutput extends PacedDevice {
    private static final Logger LOG = LoggerFactory.getLogger(WavFileOutput.class);

    static final int HEADER_BYTES = 44;
    private static final int RIFF_SIZE_OFFSET = 4;
    private static final int DATA_SIZE_OFFSET = 40;
    private static final long MAX_DATA_BYTES = 0xFFFF_FFFFL - 36;

    private final Path file;
    private final DeviceGate gate = new DeviceGate();
    private final ByteBuffer sizeField = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
    private volatile FileChannel channel;
    private ByteBuffer buffer;
    private long patchEveryBytes;
    private volatile long dataBytes;
    private long dataBytesAtPatch;
    private volatile long dropped;

    /** A paced output writing {@code file}. */
    public WavFileOutput(Path file) {
        this(file, true);
    }

    private WavFileOutput(Path file, boolean paced) {
        super("wav:" + file, Direction.OUTPUT, paced, "to play a WAV file into the call use an input wav:FILE");
        this.file = Objects.requireNonNull(file, "file");
    }

    /** An output writing {@code file} as fast as the caller asks. */
    public static WavFileOutput unpaced(Path file) {
        return new WavFileOutput(file, false);
    }


    /** The file written. */
    public Path file() {
        return file;
    }

    /**
     * Creates or replaces the file and writes its header.
     *
     * @throws IOException when the file cannot be created
     */
    @Override
    protected void onOpen(AudioFormat format) throws IOException {
        if (gate.close()) {
            finish();
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        try {
            ch.write(header(format), 0);
            ch.position(HEADER_BYTES);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        buffer = ByteBuffer.allocateDirect(format.frameSamples() * 2).order(ByteOrder.LITTLE_ENDIAN);
        patchEveryBytes = (long) format.sampleRateHz() * format.channels() * 2;
        dataBytes = 0;
        dataBytesAtPatch = 0;
        channel = ch;
        gate.opened();
    }

    private static ByteBuffer header(AudioFormat format) {
        int blockAlign = format.channels() * 2;
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put((byte) 'R').put((byte) 'I').put((byte) 'F').put((byte) 'F').putInt(36);
        h.put((byte) 'W').put((byte) 'A').put((byte) 'V').put((byte) 'E');
        h.put((byte) 'f').put((byte) 'm').put((byte) 't').put((byte) ' ').putInt(16);
        h.putShort((short) 1).putShort((short) format.channels()).putInt(format.sampleRateHz())
                .putInt(format.sampleRateHz() * blockAlign).putShort((short) blockAlign).putShort((short) 16);
        h.put((byte) 'd').put((byte) 'a').put((byte) 't').put((byte) 'a').putInt(0);
        return h.flip();
    }

    /**
     * Playback thread, once the previous frame has "played" when paced: appends {@code samples}.
     *
     * @throws IOException when the device was closed, or the disk refuses the data
     */
    @Override
    protected void play(short[] pcm, int offset, int samples) throws IOException {
        if (!gate.enter()) {
            throw new IOException(name() + " was closed");
        }
        try {
            append(pcm, offset, samples);
        } finally {
            if (!gate.exit()) {
                finish();
            }
        }
    }

    private void append(short[] pcm, int offset, int samples) throws IOException {
        FileChannel ch = channel;
        int done = 0;
        while (done < samples) {
            int chunk = Math.min(samples - done, buffer.capacity() / 2);
            if (dataBytes + 2L * chunk > MAX_DATA_BYTES) {
                dropped++;
                return;
            }
            buffer.clear();
            for (int i = 0; i < chunk; i++) {
                buffer.putShort(pcm[offset + done + i]);
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            dataBytes += 2L * chunk;
            done += chunk;
        }
        if (dataBytes - dataBytesAtPatch >= patchEveryBytes) {
            patchSizes(ch);
        }
    }

    private void patchSizes(FileChannel ch) throws IOException {
        long data = dataBytes;
        writeSize(ch, RIFF_SIZE_OFFSET, 36 + data);
        writeSize(ch, DATA_SIZE_OFFSET, data);
        dataBytesAtPatch = data;
    }

    private void writeSize(FileChannel ch, long position, long value) throws IOException {
        sizeField.clear();
        sizeField.putInt((int) value).flip();
        while (sizeField.hasRemaining()) {
            ch.write(sizeField, position + sizeField.position());
        }
    }

    /** Frames dropped because the file reached the WAV size limit, plus pacing xruns. */
    @Override
    public long xruns() {
        return super.xruns() + dropped;
    }

    /** Audio bytes written so far (after the header). */
    public long dataBytes() {
        return dataBytes;
    }

    /** Patches the header with the final sizes and closes the file (now, or when a write in progress ends). */
    @Override
    protected void onClose() {
        if (gate.close()) {
            finish();
        }
    }

    private void finish() {
        FileChannel ch = channel;
        channel = null;
        if (ch == null) {
            return;
        }
        try (ch) {
            patchSizes(ch);
        } catch (IOException e) {
            // An interrupted write closes the channel (ClosedByInterruptException): patch through a new one.
            try (FileChannel again = FileChannel.open(file, StandardOpenOption.WRITE)) {
                patchSizes(again);
            } catch (IOException | RuntimeException e2) {
                LOG.warn("{}: could not finish the WAV header: {}", name(), e2.toString());
            }
        }
    }

}
