package dev.viz.audio.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * Opens an audio file (WAV, or anything else Java Sound reads) as 16-bit PCM at a wanted rate and
 * channel count. Java Sound decodes the samples (8-bit unsigned, 16/24/32-bit signed, float, either
 * byte order) and, where it can, converts rate and channels too; where it cannot, it is asked only
 * for 16-bit samples at the file's own rate and {@link LinearResampler} does the rest.
 */
public final class PcmFiles {
    private PcmFiles() {
    }

    /** How the file's samples reach the wanted format. */
    public enum Conversion {
        /** Java Sound converts everything, or nothing needs converting. */
        JAVA_SOUND,
        /** Java Sound decodes to 16-bit at the file's rate; Viz mixes and resamples. */
        LINEAR_RESAMPLER
    }

    /**
     * Opens {@code file} as signed 16-bit PCM at {@code rateHz} with {@code channels}.
     *
     * @param conversion {@link Conversion#JAVA_SOUND} to let Java Sound convert where it can (falling
     *     back to the resampler where it cannot), {@link Conversion#LINEAR_RESAMPLER} to use the
     *     resampler for any rate or channel change
     * @throws NoSuchFileException when the file does not exist
     * @throws IOException when it cannot be read or decoded; the message names the file and its format
     */
    public static PcmSource open(Path file, int rateHz, int channels, Conversion conversion) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such audio file");
        }
        AudioInputStream stream;
        try {
            InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
            try {
                stream = AudioSystem.getAudioInputStream(in);
            } catch (UnsupportedAudioFileException | IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        } catch (UnsupportedAudioFileException e) {
            throw new IOException(file + " is not an audio file Java Sound can read (use a PCM WAV file: 8, 16 or"
                    + " 24-bit, any rate, mono or stereo)", e);
        }
        try {
            return convert(file, stream, rateHz, channels, conversion);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    private static PcmSource convert(Path file, AudioInputStream stream, int rateHz, int channels,
            Conversion conversion) throws IOException {
        AudioFormat source = stream.getFormat();
        AudioFormat wanted = new AudioFormat(rateHz, 16, channels, true, false);
        if (matches(source, wanted)) {
            return new JavaSoundPcmSource(stream);
        }
        if (conversion == Conversion.JAVA_SOUND && AudioSystem.isConversionSupported(wanted, source)) {
            try {
                return new JavaSoundPcmSource(AudioSystem.getAudioInputStream(wanted, stream));
            } catch (IllegalArgumentException e) {
                // Java Sound advertised the conversion but has no converter for it: do it ourselves.
            }
        }
        AudioFormat decoded = new AudioFormat(source.getSampleRate(), 16, source.getChannels(), true, false);
        PcmSource pcm;
        if (matches(source, decoded)) {
            pcm = new JavaSoundPcmSource(stream);
        } else if (AudioSystem.isConversionSupported(decoded, source)) {
            try {
                pcm = new JavaSoundPcmSource(AudioSystem.getAudioInputStream(decoded, stream));
            } catch (IllegalArgumentException e) {
                throw cannotDecode(file, source, e);
            }
        } else {
            throw cannotDecode(file, source, null);
        }
        return new LinearResampler(pcm, rateHz, channels);
    }

    private static boolean matches(AudioFormat have, AudioFormat want) {
        return have.getEncoding() == AudioFormat.Encoding.PCM_SIGNED && have.getSampleSizeInBits() == 16
                && !have.isBigEndian() && have.getChannels() == want.getChannels()
                && Math.round(have.getSampleRate()) == Math.round(want.getSampleRate());
    }

    private static IOException cannotDecode(Path file, AudioFormat format, Exception cause) {
        return new IOException(file + ": Java Sound cannot decode " + format + " (use a PCM WAV file: 8, 16 or"
                + " 24-bit, any rate, mono or stereo)", cause);
    }
}
