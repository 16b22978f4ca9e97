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
import org.junit.jupiter.api.Test;

/** Either end of a call may run either codec: each decodes the other's packets of the test speech. */
class WireCompatibilityTest {
    private static final AudioFormat FORMAT = AudioFormat.mono48k(40);

    @BeforeAll
    static void requireLibopus() {
        assumeTrue(NativeOpus.isAvailable(), () -> "skipped: native Opus unavailable: " + NativeOpus.cause()
                + "; " + NativeOpus.INSTALL_HINT);
    }

    @Test
    void shouldDecodeConcentusPacketsWithNativeLibopus() {
        assertRoundTrip(new OpusCodec(), new NativeOpusCodec(32_000));
    }

    @Test
    void shouldDecodeNativePacketsWithConcentus() {
        assertRoundTrip(new NativeOpusCodec(32_000), new OpusCodec());
    }

    private static void assertRoundTrip(Codec encoder, Codec decoder) {
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        int frame = FORMAT.frameSamples();
        int frames = speech.length / frame;
        short[] decoded = new short[frames * frame];
        byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
        try (encoder; decoder) {
            encoder.open(FORMAT);
            decoder.open(FORMAT);
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
