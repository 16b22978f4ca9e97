package dev.viz.audio.opus.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.audio.OpusCodec;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Either end of a call may run either codec: each decodes the other's packets of the test speech. */
class WireCompatibilityTest {
    @BeforeAll
    static void requireLibopus() {
        assumeTrue(NativeOpus.isAvailable(), () -> "skipped: native Opus unavailable: " + NativeOpus.unavailabilityCause()
                + "; " + NativeOpus.INSTALL_HINT);
    }

    /*
     * At 40 and 60 ms both codecs join 20 ms frames themselves (CBR + DTX); on the clip with gaps their
     * packets include DTX frames and part-silent joined packets.
     */
    @ParameterizedTest(name = "{0} ms frames, {1}")
    @CsvSource({"20, " + TestAudio.SPEECH, "40, " + TestAudio.SPEECH, "40, " + TestAudio.SPEECH_WITH_GAPS,
        "60, " + TestAudio.SPEECH_WITH_GAPS})
    void shouldDecodeConcentusPacketsWithNativeLibopus(int frameMs, String clip) {
        assertRoundTrip(new OpusCodec(), new NativeOpusCodec(32_000), AudioFormat.mono48k(frameMs), clip);
    }

    @ParameterizedTest(name = "{0} ms frames, {1}")
    @CsvSource({"20, " + TestAudio.SPEECH, "40, " + TestAudio.SPEECH, "40, " + TestAudio.SPEECH_WITH_GAPS,
        "60, " + TestAudio.SPEECH_WITH_GAPS})
    void shouldDecodeNativePacketsWithConcentus(int frameMs, String clip) {
        assertRoundTrip(new NativeOpusCodec(32_000), new OpusCodec(), AudioFormat.mono48k(frameMs), clip);
    }

    private static void assertRoundTrip(Codec encoder, Codec decoder, AudioFormat format, String clip) {
        short[] speech = TestAudio.samples(clip);
        int frame = format.frameSamples();
        int frames = speech.length / frame;
        short[] decoded = new short[frames * frame];
        byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
        try (encoder; decoder) {
            encoder.open(format);
            decoder.open(format);
            for (int f = 0; f < frames; f++) {
                int length = encoder.encode(speech, f * frame, packet, 0, packet.length);
                assertTrue(length >= 0, "encode " + f + ": " + length);
                assertEquals(frame, decoder.decode(packet, 0, length, decoded, f * frame),
                        encoder.name() + " frame " + f + " in " + decoder.name());
            }
        }
        SpeechComparison.Result result = SpeechComparison.compare(Arrays.copyOf(speech, decoded.length), decoded,
                48_000, 100);
        assertTrue(result.correlation() > 0.9, encoder.name() + " → " + decoder.name() + ": " + result);
    }
}
