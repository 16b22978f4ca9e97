package dev.viz.audio.opus.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NativeOpusCodecTest {
    private static final AudioFormat FORMAT = AudioFormat.mono48k(40);
    private static final int FRAME = FORMAT.frameSamples();
    /**
     * 32 kbit/s for 40 ms is 160 bytes; with CBR + DTX the codec joins two 20 ms packets of 80 bytes
     * under one TOC byte (1 + 2 × 79), as the Concentus codec does.
     */
    private static final int SPEECH_PACKET_BYTES = 159;

    @BeforeAll
    static void requireLibopus() {
        assumeTrue(NativeOpus.isAvailable(), () -> "skipped: native Opus unavailable: " + NativeOpus.unavailabilityCause()
                + "; " + NativeOpus.INSTALL_HINT);
    }

    @Test
    void shouldConfigureVizDefaults() {
        try (NativeOpusCodec codec = new NativeOpusCodec(NativeOpusCodec.DEFAULT_BITRATE_BPS)) {
            codec.open(FORMAT);
            assertEquals(32_000, codec.encoderBitrateBps());
            assertEquals(312, codec.lookaheadSamples(), "VOIP lookahead at 48 kHz is 6.5 ms");
            assertEquals("opus/native", codec.name());
            assertTrue(NativeOpus.version().startsWith("libopus"), NativeOpus.version());
        }
    }

    @Test
    void shouldEncodeSpeechAtConstantBitrateAndDecodeItIntelligibly() {
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        int frames = speech.length / FRAME;
        short[] decoded = new short[frames * FRAME];
        byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
        long totalBytes = 0;
        int cbrFrames = 0;
        try (NativeOpusCodec codec = new NativeOpusCodec(32_000)) {
            codec.open(FORMAT);
            for (int f = 0; f < frames; f++) {
                int length = codec.encode(speech, f * FRAME, packet, 0, packet.length);
                assertTrue(length > 0, "frame " + f + ": " + length);
                totalBytes += length;
                if (length == SPEECH_PACKET_BYTES) {
                    cbrFrames++;
                }
                assertEquals(FRAME, codec.decode(packet, 0, length, decoded, f * FRAME));
            }
        }
        // DTX may shorten the few near-silent frames.
        assertTrue(cbrFrames > frames * 9 / 10, cbrFrames + " of " + frames + " frames at " + SPEECH_PACKET_BYTES
                + " bytes");
        assertTrue(totalBytes <= (long) frames * SPEECH_PACKET_BYTES, "bytes " + totalBytes);
        SpeechComparison.Result result = SpeechComparison.compare(Arrays.copyOf(speech, decoded.length), decoded,
                48_000, 100);
        // Opus at 32 kbit/s keeps the speech envelope (0.92 measured); unrelated audio scores near 0.
        assertTrue(result.correlation() > 0.85, result.toString());
    }

    /**
     * The session lowers the bitrate to make room for redundant copies; the native codec used to
     * ignore it (Codec's default targetBitrate does nothing), so its frames stayed 159 bytes and the
     * copies did not fit (issue 13).
     */
    @Test
    void shouldLowerItsBitrateWhenTheSessionAsks() {
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
        try (NativeOpusCodec codec = new NativeOpusCodec(32_000)) {
            codec.open(FORMAT);
            assertTrue(codec.targetBitrate(18_000), "the native codec takes a target bitrate");
            assertEquals(18_000, codec.encoderBitrateBps());
            assertEquals(32_000, codec.bitrateBps(), "the configured bitrate is unchanged");
            int speechFrames = 0;
            for (int f = 0; f < 100; f++) {
                int length = codec.encode(speech, f * FRAME, packet, 0, packet.length);
                assertTrue(length >= 0 && length <= 18_000 * 40 / 8000, "frame " + f + ": " + length + " bytes");
                if (length > 2) {
                    speechFrames++;
                }
            }
            assertTrue(speechFrames > 80, speechFrames + " frames of speech");
        }
    }

    @Test
    void shouldConcealALostFrameAndRecoverOneFromFecData() {
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        byte[][] packets = new byte[50][];
        try (NativeOpusCodec encoder = new NativeOpusCodec(32_000)) {
            encoder.open(FORMAT);
            encoder.expectLoss(20);
            byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
            for (int f = 0; f < packets.length; f++) {
                int length = encoder.encode(speech, (f + 25) * FRAME, packet, 0, packet.length);
                packets[f] = Arrays.copyOf(packet, length);
            }
        }
        short[] pcm = new short[FRAME];
        try (NativeOpusCodec decoder = new NativeOpusCodec(32_000)) {
            decoder.open(FORMAT);
            for (int f = 0; f < 20; f++) {
                assertEquals(FRAME, decoder.decode(packets[f], 0, packets[f].length, pcm, 0));
            }
            Arrays.fill(pcm, (short) 0);
            assertEquals(FRAME, decoder.conceal(pcm, 0));
            assertEquals(FRAME, decoder.decode(packets[21], 0, packets[21].length, pcm, 0));
            // Frame 22 lost: rebuild it from 23's in-band FEC, then play 23 itself.
            Arrays.fill(pcm, (short) 0);
            assertEquals(FRAME, decoder.recover(packets[23], 0, packets[23].length, pcm, 0));
            assertTrue(energy(pcm) > 0, "the recovered frame carries sound");
            assertEquals(FRAME, decoder.decode(packets[23], 0, packets[23].length, pcm, 0));
        }
    }

    @Test
    void shouldReturnAStatusForGarbageAndNeverThrow() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] garbage = new byte[Codec.MAX_ENCODED_BYTES];
        short[] pcm = new short[FRAME];
        int errors = 0;
        try (NativeOpusCodec codec = new NativeOpusCodec(32_000)) {
            codec.open(FORMAT);
            for (int i = 0; i < 2000; i++) {
                random.nextBytes(garbage);
                int length = random.nextInt(garbage.length + 1);
                int status = codec.decode(garbage, 0, length, pcm, 0);
                assertTrue(status == FRAME || status < 0, "status " + status + " is neither a frame nor an error");
                if (status < 0) {
                    errors++;
                }
            }
            assertEquals(Codec.ERROR_CORRUPT, codec.decode(garbage, 0, Codec.MAX_ENCODED_BYTES + 1, pcm, 0));
            assertEquals(Codec.ERROR_CORRUPT, codec.decode(garbage, garbage.length - 2, 10, pcm, 0));
            assertEquals(Codec.ERROR_BUFFER_TOO_SMALL, codec.decode(garbage, 0, 10, new short[FRAME - 1], 0));
        }
        assertTrue(errors > 0, "random bytes are mostly not valid Opus for a 40 ms frame");
    }

    @Test
    void shouldReturnAnErrorRatherThanCrashAfterClose() {
        NativeOpusCodec codec = new NativeOpusCodec(32_000);
        codec.open(FORMAT);
        codec.close();
        codec.close();
        short[] pcm = new short[FRAME];
        byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
        assertEquals(Codec.ERROR_CORRUPT, codec.encode(pcm, 0, packet, 0, packet.length));
        assertEquals(Codec.ERROR_CORRUPT, codec.decode(packet, 0, 10, pcm, 0));
        assertEquals(Codec.ERROR_CORRUPT, codec.conceal(pcm, 0));
    }

    @Test
    void shouldLeaveTheStateAsAfterOpenWhenWarmedUp() {
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        byte[] cold = encodeFirstFrames(new NativeOpusCodec(32_000), speech, false);
        byte[] warm = encodeFirstFrames(new NativeOpusCodec(32_000), speech, true);
        assertTrue(Arrays.equals(cold, warm), "warm-up changed the bitstream");
    }

    private static byte[] encodeFirstFrames(NativeOpusCodec codec, short[] speech, boolean warmUp) {
        try (codec) {
            codec.open(FORMAT);
            if (warmUp) {
                codec.warmUp();
            }
            byte[] all = new byte[10 * Codec.MAX_ENCODED_BYTES];
            int at = 0;
            for (int f = 0; f < 10; f++) {
                at += codec.encode(speech, (f + 30) * FRAME, all, at, Codec.MAX_ENCODED_BYTES);
            }
            return Arrays.copyOf(all, at);
        }
    }

    @Test
    void shouldAllocateNothingPerFrameAfterWarmUp() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "skipped: this JVM does not count allocated bytes per thread");
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        int frames = speech.length / FRAME;
        byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
        short[] pcm = new short[FRAME];
        // Complexity 0 keeps the test fast; the Java side (JNA calls and copies) is the same at every complexity.
        try (NativeOpusCodec codec = new NativeOpusCodec(32_000, 0, true)) {
            codec.open(FORMAT);
            codec.expectLoss(5);
            runFrames(codec, speech, frames, 1_000, packet, pcm);
            long before = threads.getCurrentThreadAllocatedBytes();
            int done = runFrames(codec, speech, frames, 10_000, packet, pcm);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertEquals(10_000, done);
            // One object per frame would be 160,000 bytes or more. The JIT's own transitions (deoptimisation,
            // on-stack replacement) show up as a few hundred bytes at random moments; -Xint gives exactly 0.
            assertTrue(allocated < 10_000, allocated + " bytes allocated over 10,000 frames of encode + decode"
                    + " + conceal + recover: under 1 byte per frame is required");
        }
    }

    private static int runFrames(NativeOpusCodec codec, short[] speech, int clipFrames, int count, byte[] packet,
            short[] pcm) {
        int ok = 0;
        for (int i = 0; i < count; i++) {
            int length = codec.encode(speech, (i % clipFrames) * FRAME, packet, 0, packet.length);
            int status;
            if (i % 50 == 10) {
                status = codec.conceal(pcm, 0);
            } else if (i % 50 == 20) {
                status = codec.recover(packet, 0, length, pcm, 0);
            } else {
                status = codec.decode(packet, 0, length, pcm, 0);
            }
            if (length > 0 && status == FRAME) {
                ok++;
            }
        }
        return ok;
    }

    private static long energy(short[] pcm) {
        long sum = 0;
        for (short s : pcm) {
            sum += (long) s * s;
        }
        return sum;
    }
}
