package dev.viz.audio.opus.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.audio.OpusCodec;
import dev.viz.audio.portaudio.ToneDetector;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.testing.TestAudio;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DTX at Viz's defaults (CBR + DTX) with native libopus: silence costs next to nothing, and packet
 * lengths follow the same pattern as the Concentus {@link OpusCodec}'s.
 */
class NativeOpusDtxTest {
    private static final short[] SPEECH = TestAudio.samples(TestAudio.SPEECH);
    private static final short[] SPEECH_WITH_GAPS = TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);

    @BeforeAll
    static void requireLibopus() {
        assumeTrue(NativeOpus.isAvailable(), () -> "skipped: native Opus unavailable: " + NativeOpus.unavailabilityCause()
                + "; " + NativeOpus.INSTALL_HINT);
    }

    /** Packet lengths (length → count) of {@code speech} through {@code codec} at {@code frameMs}. */
    private static TreeMap<Integer, Integer> lengths(Codec codec, int frameMs, short[] speech) {
        AudioFormat format = AudioFormat.mono48k(frameMs);
        TreeMap<Integer, Integer> histogram = new TreeMap<>();
        byte[] out = new byte[Codec.MAX_ENCODED_BYTES];
        short[] pcm = new short[format.frameSamples()];
        int frame = format.frameSamples();
        try (codec) {
            codec.open(format);
            for (int at = 0; at + frame <= speech.length; at += frame) {
                int length = codec.encode(speech, at, out, 0, out.length);
                assertTrue(length > 0, "encode returned " + length);
                // Every packet must decode to exactly one frame, joined or not.
                assertEquals(frame, codec.decode(out, 0, length, pcm, 0), "decoding a packet of " + length + " bytes");
                histogram.merge(length, 1, Integer::sum);
            }
        }
        return histogram;
    }

    private static long total(TreeMap<Integer, Integer> histogram) {
        return histogram.entrySet().stream().mapToLong(e -> (long) e.getKey() * e.getValue()).sum();
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {20, 40, 60})
    void shouldSendAtLeastThirtyPercentFewerBytesWithDtxOnSpeechWithGaps(int frameMs) {
        TreeMap<Integer, Integer> on = lengths(new NativeOpusCodec(32_000), frameMs, SPEECH_WITH_GAPS);
        TreeMap<Integer, Integer> off = lengths(new NativeOpusCodec(32_000, NativeOpusCodec.DEFAULT_COMPLEXITY, false),
                frameMs, SPEECH_WITH_GAPS);
        double ratio = total(on) / (double) total(off);
        System.out.printf("native DTX at %d ms, CBR: %d bytes with DTX, %d without: ratio %.3f (%.0f %% fewer);"
                + " lengths with DTX %s, without %s%n", frameMs, total(on), total(off), ratio, 100 * (1 - ratio), on, off);
        assertTrue(ratio <= 0.7, "DTX saved only " + (1 - ratio) + "; lengths " + on);
        assertTrue(on.firstKey() <= 2, "silence goes out as 1-byte packets (2 bytes for 60 ms): " + on);
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {20, 40, 60})
    void shouldNeverSendASteadyLoudToneAsSilence(int frameMs) {
        short[] tone = new short[48_000 * 5];
        ToneDetector.sine(tone, 0, 440, 48_000, 8_200); // -12 dBFS peak
        TreeMap<Integer, Integer> lengths = lengths(new NativeOpusCodec(32_000), frameMs, tone);
        System.out.printf("native, 440 Hz at -12 dBFS, %d ms frames, CBR+DTX: lengths %s%n", frameMs, lengths);
        assertEquals(1, lengths.size(), "every frame of the tone a full CBR packet: " + lengths);
        assertTrue(lengths.firstKey() > 10, lengths::toString);
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {10, 20, 40, 60})
    void shouldProducePacketLengthsInTheSamePatternAsConcentus(int frameMs) {
        TreeSet<Integer> concentusLengths = new TreeSet<>();
        TreeSet<Integer> nativeLengths = new TreeSet<>();
        for (short[] clip : new short[][] {SPEECH, SPEECH_WITH_GAPS}) {
            TreeMap<Integer, Integer> nativeDtx = lengths(new NativeOpusCodec(32_000), frameMs, clip);
            TreeMap<Integer, Integer> concentus = lengths(new OpusCodec(), frameMs, clip);
            TreeMap<Integer, Integer> nativeNoDtx = lengths(
                    new NativeOpusCodec(32_000, NativeOpusCodec.DEFAULT_COMPLEXITY, false), frameMs, clip);
            System.out.printf("%d ms: native CBR+DTX %s; Concentus CBR+DTX %s; native CBR %s%n", frameMs,
                    nativeDtx, concentus, nativeNoDtx);
            assertEquals(1, nativeNoDtx.size(), "CBR without DTX: one packet length, got " + nativeNoDtx);
            // Speech packets: one constant length, the one Concentus sends.
            assertEquals(concentus.lastKey(), nativeDtx.lastKey(), "speech packet length");
            int joined = Math.max(1, frameMs / 20);
            assertTrue(nativeDtx.size() <= 1 + joined, "CBR with DTX: lengths " + nativeDtx);
            concentusLengths.addAll(concentus.keySet());
            nativeLengths.addAll(nativeDtx.keySet());
        }
        // Silence, part-silent joined packets and speech: the same lengths as Concentus, nothing else.
        assertTrue(concentusLengths.containsAll(nativeLengths),
                "native sends lengths " + nativeLengths + ", Concentus " + concentusLengths);
        assertTrue(nativeLengths.first() <= 2, "silence is 1 byte (2 for 60 ms): " + nativeLengths);
    }
}
