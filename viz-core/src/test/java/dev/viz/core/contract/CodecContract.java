package dev.viz.core.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link Codec} must do, run against real speech. Extend it with a concrete test that
 * supplies {@link #newCodec()}; the measured figures are printed for the reports.
 */
public abstract class CodecContract {
    /** Opus alone scores about 0.93 on the test speech; a codec must keep speech recognisable. */
    protected static final double MIN_SPEECH_CORRELATION = 0.9;
    private static final int SAMPLE_RATE_HZ = 48_000;
    private static final short[] SPEECH = TestAudio.samples(TestAudio.SPEECH);

    /** A new, unopened codec at the implementation's default settings. */
    protected abstract Codec newCodec();

    private Codec open(int frameMs) {
        Codec codec = newCodec();
        codec.open(AudioFormat.mono48k(frameMs));
        return codec;
    }

    /** Encodes frames of speech; packets[i] holds frame i (speech ends in whole frames). */
    protected static byte[][] encodeSpeech(Codec codec, AudioFormat format, short[] speech) {
        int frame = format.frameSamples();
        byte[][] packets = new byte[speech.length / frame][];
        byte[] out = new byte[Codec.MAX_ENCODED_BYTES];
        for (int i = 0; i < packets.length; i++) {
            int length = codec.encode(speech, i * frame, out, 0, out.length);
            assertTrue(length >= 0 && length <= Codec.MAX_ENCODED_BYTES, "frame " + i + ": encode returned " + length);
            packets[i] = Arrays.copyOf(out, length);
        }
        return packets;
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {10, 20, 40, 60})
    void shouldRoundTripSpeechRecognisably(int frameMs) {
        AudioFormat format = AudioFormat.mono48k(frameMs);
        try (Codec codec = open(frameMs)) {
            byte[][] packets = encodeSpeech(codec, format, SPEECH);
            int frame = format.frameSamples();
            short[] decoded = new short[packets.length * frame];
            long bytes = 0;
            for (int i = 0; i < packets.length; i++) {
                bytes += packets[i].length;
                int samples = codec.decode(packets[i], 0, packets[i].length, decoded, i * frame);
                assertEquals(format.frameSamplesPerChannel(), samples, "frame " + i + " decoded");
            }
            SpeechComparison.Result result = SpeechComparison.compare(SPEECH, decoded, SAMPLE_RATE_HZ, 200);
            System.out.printf("%s, %d ms frames: %s; %d bytes for %.1f s (%.1f kbit/s)%n", codec.name(), frameMs,
                    result, bytes, SPEECH.length / (double) SAMPLE_RATE_HZ, bytes * 8.0 / (SPEECH.length / 48.0));
            assertTrue(result.correlation() >= MIN_SPEECH_CORRELATION, "decoded speech: " + result);
        }
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {10, 20, 40, 60})
    void shouldNeverWriteMoreThanMaxBytes(int frameMs) {
        AudioFormat format = AudioFormat.mono48k(frameMs);
        int frame = format.frameSamples();
        int[] limits = {Codec.MAX_ENCODED_BYTES, 400, 160, 100, 60, 30, 12, 5, 3, 2, 1, 0};
        try (Codec codec = open(frameMs)) {
            for (int f = 0; f < 40; f++) {
                int maxBytes = limits[f % limits.length];
                int offset = 7;
                byte[] out = new byte[offset + Codec.MAX_ENCODED_BYTES + 16];
                Arrays.fill(out, (byte) 0x5A);
                int length = codec.encode(SPEECH, (f + 20) * frame, out, offset, maxBytes);
                assertTrue(length <= maxBytes, "maxBytes " + maxBytes + " but encode returned " + length);
                for (int i = 0; i < out.length; i++) {
                    if (i < offset || i >= offset + Math.max(0, maxBytes)) {
                        assertEquals((byte) 0x5A, out[i], "byte " + i + " written outside the allowed range, maxBytes "
                                + maxBytes);
                    }
                }
            }
            // An array with less room than maxBytes: the array bounds win, nothing is thrown.
            byte[] small = new byte[40];
            int length = codec.encode(SPEECH, 30 * frame, small, 10, Codec.MAX_ENCODED_BYTES);
            assertTrue(length <= 30, "30 bytes of room but encode returned " + length);
        }
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {10, 20, 40, 60})
    void shouldConcealAndRecoverFullFrames(int frameMs) {
        AudioFormat format = AudioFormat.mono48k(frameMs);
        int samplesPerChannel = format.frameSamplesPerChannel();
        try (Codec codec = open(frameMs)) {
            short[] pcm = new short[format.frameSamples()];
            assertEquals(samplesPerChannel, codec.conceal(pcm, 0), "concealment before any packet");
            codec.expectLoss(10);
            byte[][] packets = encodeSpeech(codec, format, Arrays.copyOf(SPEECH, SPEECH.length / 2));
            for (int i = 0; i < packets.length; i++) {
                if (i % 7 == 3) {
                    assertEquals(samplesPerChannel, codec.conceal(pcm, 0), "concealment of frame " + i);
                } else if (i % 7 == 5 && i + 1 < packets.length) {
                    byte[] next = packets[i + 1];
                    assertEquals(samplesPerChannel, codec.recover(next, 0, next.length, pcm, 0), "recovery of frame " + i);
                } else {
                    assertEquals(samplesPerChannel, codec.decode(packets[i], 0, packets[i].length, pcm, 0), "frame " + i);
                }
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(samplesPerChannel, codec.conceal(pcm, 0), "concealment " + i + " of a long gap");
            }
            assertEquals(samplesPerChannel, codec.recover(new byte[0], 0, 0, pcm, 0), "recovery from an empty packet");
        }
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {10, 20, 40, 60})
    void shouldSurviveGarbageWithoutThrowing(int frameMs) {
        AudioFormat format = AudioFormat.mono48k(frameMs);
        int samplesPerChannel = format.frameSamplesPerChannel();
        Random random = new Random(0xC0DEC + frameMs);
        try (Codec codec = open(frameMs)) {
            byte[][] packets = encodeSpeech(codec, format, Arrays.copyOf(SPEECH, SPEECH.length / 4));
            short[] pcm = new short[format.frameSamples()];
            byte[] input = new byte[1600];
            int frames = 0;
            int errors = 0;
            for (int i = 0; i < 3000; i++) {
                int length;
                if (random.nextBoolean()) {
                    length = random.nextInt(input.length);
                    random.nextBytes(input);
                } else {
                    byte[] valid = packets[random.nextInt(packets.length)];
                    length = mutate(valid, input, random);
                }
                int result = codec.decode(input, 0, length, pcm, 0);
                assertTrue(result < 0 || result == samplesPerChannel, "decode of garbage returned " + result);
                if (result < 0) {
                    errors++;
                } else {
                    frames++;
                }
            }
            System.out.printf("%s, %d ms frames: of 3000 garbage packets %d decoded to a frame, %d refused%n",
                    codec.name(), frameMs, frames, errors);
            // The decoder must still work on real packets afterwards.
            for (byte[] packet : packets) {
                assertEquals(samplesPerChannel, codec.decode(packet, 0, packet.length, pcm, 0));
            }
        }
    }

    private static int mutate(byte[] valid, byte[] out, Random random) {
        System.arraycopy(valid, 0, out, 0, valid.length);
        int length = valid.length;
        switch (random.nextInt(4)) {
            case 0 -> {
                for (int k = 0; k < 1 + random.nextInt(8); k++) {
                    int at = random.nextInt(Math.max(1, length));
                    out[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> length = random.nextInt(length + 1);
            case 2 -> {
                int extra = random.nextInt(out.length - length);
                for (int k = 0; k < extra; k++) {
                    out[length + k] = (byte) random.nextInt();
                }
                length += extra;
            }
            default -> out[0] = (byte) random.nextInt();
        }
        return length;
    }

    @Test
    void shouldLeaveStateUntouchedByWarmUp() {
        AudioFormat format = AudioFormat.mono48k(40);
        short[] speech = Arrays.copyOf(SPEECH, 100 * format.frameSamples());
        try (Codec warmed = open(40); Codec cold = open(40)) {
            warmed.warmUp();
            byte[][] fromWarmed = encodeSpeech(warmed, format, speech);
            byte[][] fromCold = encodeSpeech(cold, format, speech);
            short[] a = new short[format.frameSamples()];
            short[] b = new short[format.frameSamples()];
            for (int i = 0; i < fromCold.length; i++) {
                assertArrayEquals(fromCold[i], fromWarmed[i], "packet " + i + " differs after warm-up");
                warmed.decode(fromWarmed[i], 0, fromWarmed[i].length, a, 0);
                cold.decode(fromCold[i], 0, fromCold[i].length, b, 0);
                assertArrayEquals(b, a, "decoded frame " + i + " differs after warm-up");
            }
        }
    }

    @Test
    void shouldCloseIdempotently() {
        // Before open: nothing to free, and closing must not touch what was never made.
        Codec unopened = newCodec();
        unopened.close();
        unopened.close();

        AudioFormat format = AudioFormat.mono48k(20);
        int frame = format.frameSamples();
        Codec codec = open(20);
        byte[][] packets = encodeSpeech(codec, format, Arrays.copyOf(SPEECH, 10 * frame));
        short[] pcm = new short[frame];
        assertEquals(format.frameSamplesPerChannel(), codec.decode(packets[5], 0, packets[5].length, pcm, 0));
        codec.close();
        codec.close();

        // Closed, it refuses work (a negative status or IllegalStateException), never answers from
        // state it has freed: for a native codec that would be a use after free.
        byte[] out = new byte[Codec.MAX_ENCODED_BYTES];
        assertRefused("encode", () -> codec.encode(SPEECH, 0, out, 0, out.length));
        assertRefused("decode", () -> codec.decode(packets[5], 0, packets[5].length, pcm, 0));
        assertRefused("conceal", () -> codec.conceal(pcm, 0));
        assertRefused("recover", () -> codec.recover(packets[6], 0, packets[6].length, pcm, 0));
        codec.close();
    }

    private static void assertRefused(String call, IntSupplier afterClose) {
        int result;
        try {
            result = afterClose.getAsInt();
        } catch (IllegalStateException refused) {
            return;
        }
        assertTrue(result < 0, call + " after close returned " + result + " instead of refusing");
    }
}
