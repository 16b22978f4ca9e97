package dev.viz.audio.internal;

import java.io.IOException;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;

/**
 * Reads a Java Sound stream that is already signed 16-bit little-endian PCM. Reuses one byte buffer;
 * allocates nothing per read.
 */
final class JavaSoundPcmSource implements PcmSource {
    private static final int BUFFER_BYTES = 16 * 1024;
    /** A converting stream may return 0 bytes now and then; this many in a row is taken as the end. */
    private static final int MAX_EMPTY_READS = 64;

    private final AudioInputStream stream;
    private final int sampleRateHz;
    private final int channels;
    private final byte[] buffer;

    JavaSoundPcmSource(AudioInputStream stream) {
        AudioFormat f = stream.getFormat();
        if (f.getEncoding() != AudioFormat.Encoding.PCM_SIGNED || f.getSampleSizeInBits() != 16 || f.isBigEndian()) {
            throw new IllegalArgumentException("expected signed 16-bit little-endian PCM, got " + f);
        }
        this.stream = stream;
        this.sampleRateHz = Math.round(f.getSampleRate());
        this.channels = f.getChannels();
        int frameBytes = 2 * channels;
        this.buffer = new byte[BUFFER_BYTES / frameBytes * frameBytes];
    }

    @Override
    public int sampleRateHz() {
        return sampleRateHz;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int read(short[] dst, int offset, int samples) throws IOException {
        int frameBytes = 2 * channels;
        int wantBytes = Math.min(samples * 2, buffer.length) / frameBytes * frameBytes;
        int got = 0;
        int emptyReads = 0;
        while (got < wantBytes && emptyReads < MAX_EMPTY_READS) {
            int n = stream.read(buffer, got, wantBytes - got);
            if (n < 0) {
                break;
            }
            emptyReads = n == 0 ? emptyReads + 1 : 0;
            got += n;
        }
        got = got / frameBytes * frameBytes;
        if (got == 0) {
            return -1;
        }
        for (int i = 0, s = offset; i < got; i += 2, s++) {
            dst[s] = (short) ((buffer[i] & 0xFF) | (buffer[i + 1] << 8));
        }
        return got / 2;
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
