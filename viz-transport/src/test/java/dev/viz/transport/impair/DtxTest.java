package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.OpusCodec;
import dev.viz.audio.ZstdCompressor;
import dev.viz.core.Profile;
import dev.viz.core.Redundancy;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.internal.SimulatedCall;
import dev.viz.core.testing.ArrayInput;
import dev.viz.core.testing.SimClock;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.loopback.LoopbackTransport;
import org.junit.jupiter.api.Test;

/**
 * DTX on the speech with gaps: silence must cost little on the wire, and the receiver must play
 * the gaps as comfort noise without counting them as lost or concealed. Real Opus (CBR, DTX on or
 * off), real Zstandard, the real engine, on a simulated clock; bytes on the wire are UDP payloads
 * (the session's payloads plus the secure layer's 30 bytes each).
 */
class DtxTest {
    private record Outcome(long wireBytes, long datagrams, SessionStats heard, double correlation) { }

    private static Outcome call(Profile profile, boolean dtx) {
        short[] speech = TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);
        SimClock clock = new SimClock();
        LoopbackTransport[] pair = LoopbackTransport.pair(RealtimeMatrixTest.SECURE_PAYLOAD_BYTES);
        OpusCodec.Builder opus = OpusCodec.builder().warmUpMs(400).dtx(dtx);
        SimulatedCall.Result r = SimulatedCall.builder().profile(profile).redundancy(Redundancy.AUTO).clock(clock)
                .talkerInput(new ArrayInput(speech, false))
                .codecs(opus.build(), opus.bitrateBps(6_000).build(), opus.build())
                .compressors(new ZstdCompressor(), new ZstdCompressor())
                .transports(pair[0], pair[1])
                .byFrameCapacitySamples(speech.length + 48_000)
                .build().run();
        SessionStats said = r.talker;
        long datagrams = said.get(Stat.DATAGRAMS_SENT);
        long wire = said.get(Stat.WIRE_BYTES_SENT) + RealtimeMatrixTest.SECURE_OVERHEAD_BYTES * datagrams;
        return new Outcome(wire, datagrams, r.listener, RealtimeMatrixTest.byFrame(speech, r));
    }

    private static void assertDtxPays(Profile profile) {
        Outcome on = call(profile, true);
        Outcome off = call(profile, false);
        double saving = 100.0 * (off.wireBytes() - on.wireBytes()) / off.wireBytes();
        System.out.printf("%s, speech with gaps: DTX off %d bytes in %d datagrams, DTX on %d bytes in %d datagrams:"
                + " %.1f %% less; %d frames played as comfort noise, %d lost, %d concealed; envelope correlation"
                + " %.3f (DTX off %.3f)%n", profile.cliName(), off.wireBytes(), off.datagrams(), on.wireBytes(),
                on.datagrams(), saving, on.heard().get(Stat.FRAMES_DTX), on.heard().framesLost(),
                on.heard().get(Stat.FRAMES_CONCEALED), on.correlation(), off.correlation());
        assertTrue(saving >= 30, profile.cliName() + ": DTX saves " + saving + " %");
        // A third of the clip is silence: the gaps come out as DTX, not as loss.
        assertTrue(on.heard().get(Stat.FRAMES_DTX) > on.heard().framesPlayed() / 4,
                "DTX frames " + on.heard().get(Stat.FRAMES_DTX));
        assertEquals(0, on.heard().framesLost());
        assertEquals(0, on.heard().get(Stat.FRAMES_CONCEALED));
        assertEquals(0, on.heard().get(Stat.CONCEALED_MS));
        assertEquals(0, on.heard().get(Stat.LOSS_PPM));
        assertEquals(0, off.heard().get(Stat.FRAMES_DTX), "without DTX every frame is sent");
        assertTrue(on.correlation() > off.correlation() - 0.05, "DTX costs no quality: " + on.correlation());
    }

    @Test
    void shouldSendMuchLessDuringSilenceThroughATunnel() {
        assertDtxPays(Profile.TUNNEL);
    }

    @Test
    void shouldSendMuchLessDuringSilenceOnALowLatencyPath() {
        assertDtxPays(Profile.LOW_LATENCY);
    }

    /**
     * Digital silence (a muted microphone, a listen-only input) is not encoded once the encoder has
     * answered it with DTX a few frames in a row: 5 s of zeros between two halves of the speech, real
     * Opus. The speech after the silence must come out as well as before it, and a codec that sends
     * silence without DTX is always run.
     */
    @Test
    void shouldNotRunTheEncoderOnDigitalSilenceAndEncodeTheSpeechAfterItAsBefore() {
        short[] clip = TestAudio.samples(TestAudio.SPEECH);
        int half = clip.length / 2;
        short[] speech = new short[clip.length + 5 * 48_000];
        System.arraycopy(clip, 0, speech, 0, half);
        System.arraycopy(clip, half, speech, half + 5 * 48_000, clip.length - half);
        for (boolean dtx : new boolean[] {true, false}) {
            SimClock clock = new SimClock();
            LoopbackTransport[] pair = LoopbackTransport.pair(RealtimeMatrixTest.SECURE_PAYLOAD_BYTES);
            OpusCodec.Builder opus = OpusCodec.builder().warmUpMs(400).dtx(dtx);
            SimulatedCall.Result r = SimulatedCall.builder().profile(Profile.LOW_LATENCY).redundancy(Redundancy.AUTO)
                    .clock(clock).talkerInput(new ArrayInput(speech, false))
                    .codecs(opus.build(), opus.bitrateBps(6_000).build(), opus.build())
                    .compressors(new ZstdCompressor(), new ZstdCompressor())
                    .transports(pair[0], pair[1])
                    .byFrameCapacitySamples(speech.length + 48_000)
                    .build().run();
            long notEncoded = r.talker.get(Stat.FRAMES_SILENCE_NOT_ENCODED);
            double correlation = RealtimeMatrixTest.byFrame(speech, r);
            System.out.printf("5 s of zeros in the speech, DTX %s: %d of %d frames not encoded, %d played as comfort"
                    + " noise, %d lost; envelope correlation %.3f%n", dtx ? "on" : "off", notEncoded,
                    r.talker.get(Stat.FRAMES_ENCODED), r.listener.get(Stat.FRAMES_DTX), r.listener.framesLost(),
                    correlation);
            assertEquals(0, r.listener.framesLost());
            assertTrue(correlation >= 0.9, "speech before and after the silence: " + correlation);
            if (dtx) {
                // 250 frames of zeros, less the encoder's DTX hangover and the five DTX frames before skipping
                assertTrue(notEncoded >= 220 && notEncoded <= 250, "frames not encoded " + notEncoded);
            } else {
                assertEquals(0, notEncoded, "an encoder that does not answer silence with DTX is always run");
            }
        }
    }

    /**
     * A microphone's noise floor is not encoded either, once the encoder has called it DTX: 5 s of
     * white noise at -60 dBFS RMS between the two halves of the speech, which also carries the noise
     * under it (as a real microphone would), real Opus. The speech must come out as well as where
     * nothing is gated (DTX off: the encoder never answers DTX, so it hears every frame), and the
     * noise section must mostly not be encoded.
     */
    @Test
    void shouldNotRunTheEncoderOnAQuietNoiseFloorAndEncodeTheSpeechAfterItAsBefore() {
        short[] clip = TestAudio.samples(TestAudio.SPEECH);
        int half = clip.length / 2;
        int gap = 5 * 48_000;
        short[] speech = new short[clip.length + gap];
        System.arraycopy(clip, 0, speech, 0, half);
        System.arraycopy(clip, half, speech, half + gap, clip.length - half);
        java.util.Random random = new java.util.Random(7);
        double rms = 32768 * Math.pow(10, -60 / 20.0);
        for (int i = 0; i < speech.length; i++) {
            speech[i] = (short) Math.max(-32768, Math.min(32767, speech[i] + Math.round(random.nextGaussian() * rms)));
        }
        double[] correlation = new double[2];
        long[] quietNotEncoded = new long[2];
        boolean[] modes = {true, false};
        for (int m = 0; m < 2; m++) {
            boolean dtx = modes[m];
            LoopbackTransport[] pair = LoopbackTransport.pair(RealtimeMatrixTest.SECURE_PAYLOAD_BYTES);
            OpusCodec.Builder opus = OpusCodec.builder().warmUpMs(400).dtx(dtx);
            SimulatedCall.Result r = SimulatedCall.builder().profile(Profile.LOW_LATENCY).redundancy(Redundancy.AUTO)
                    .clock(new SimClock()).talkerInput(new ArrayInput(speech, false))
                    .codecs(opus.build(), opus.bitrateBps(6_000).build(), opus.build())
                    .compressors(new ZstdCompressor(), new ZstdCompressor())
                    .transports(pair[0], pair[1])
                    .byFrameCapacitySamples(speech.length + 48_000)
                    .build().run();
            quietNotEncoded[m] = r.talker.get(Stat.FRAMES_QUIET_NOT_ENCODED);
            correlation[m] = RealtimeMatrixTest.byFrame(speech, r);
            System.out.printf("5 s of -60 dBFS noise in the speech, DTX %s: %d of %d frames not encoded as quiet, %d as"
                    + " zeros; %d played as comfort noise, %d lost; envelope correlation %.3f%n", dtx ? "on" : "off",
                    quietNotEncoded[m], r.talker.get(Stat.FRAMES_ENCODED), r.talker.get(Stat.FRAMES_SILENCE_NOT_ENCODED),
                    r.listener.get(Stat.FRAMES_DTX), r.listener.framesLost(), correlation[m]);
            assertEquals(0, r.listener.framesLost());
        }
        // 250 frames of noise: the encoder hears the first until it answers DTX five times, then one in ten.
        assertTrue(quietNotEncoded[0] >= 180, "noise frames not encoded: " + quietNotEncoded[0]);
        assertEquals(0, quietNotEncoded[1], "an encoder that never answers DTX hears every frame");
        assertTrue(correlation[0] >= 0.9 && correlation[0] >= correlation[1] - 0.02,
                "the speech around the noise: " + correlation[0] + " against " + correlation[1] + " with every frame encoded");
    }
}
