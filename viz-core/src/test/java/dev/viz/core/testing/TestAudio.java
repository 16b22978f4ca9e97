package dev.viz.core.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/** The test speech shipped in viz-core's test resources, and WAV reading for tests. */
public final class TestAudio {
    /** 10 s of synthetic English speech, 48 kHz mono 16-bit. */
    public static final String SPEECH = "/speech/speech-10s-48k.wav";
    /** 12 s of the same voice with silent gaps (2 s of silence first), 48 kHz mono 16-bit. */
    public static final String SPEECH_WITH_GAPS = "/speech/speech-gaps-12s-48k.wav";

    private TestAudio() {
    }

    /** Copies a bundled clip to {@code dir} and returns its path. */
    public static Path copyTo(String resource, Path dir) {
        Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        try (InputStream in = TestAudio.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            Files.copy(in, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bundled clip's samples (48 kHz mono 16-bit). */
    public static short[] samples(String resource) {
        try (InputStream in = TestAudio.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return read(AudioSystem.getAudioInputStream(new BufferedInputStream(in)));
        } catch (IOException | UnsupportedAudioFileException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A 16-bit mono WAV file's samples. */
    public static short[] samples(Path wav) {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            return read(in);
        } catch (IOException | UnsupportedAudioFileException e) {
            throw new IllegalStateException(e);
        }
    }

    private static short[] read(AudioInputStream in) throws IOException {
        AudioFormat f = in.getFormat();
        if (f.getChannels() != 1 || f.getSampleSizeInBits() != 16 || f.getEncoding() != AudioFormat.Encoding.PCM_SIGNED) {
            throw new IllegalArgumentException("expected 16-bit signed mono, got " + f);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        byte[] b = bytes.toByteArray();
        short[] s = new short[b.length / 2];
        boolean big = f.isBigEndian();
        for (int i = 0; i < s.length; i++) {
            int lo = b[2 * i + (big ? 1 : 0)] & 0xFF;
            int hi = b[2 * i + (big ? 0 : 1)];
            s[i] = (short) ((hi << 8) | lo);
        }
        return s;
    }
}
