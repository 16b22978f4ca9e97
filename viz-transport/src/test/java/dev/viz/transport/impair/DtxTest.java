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

    /**
     * Noise the encoder does not answer with DTX is encoded with less effort: a noisy room, white
     * noise at -40 dBFS RMS, 5 s of it before the speech and under it, real Opus. Opus calls noise DTX
     * only well below the loudest speech it has heard, so it encodes this floor at full effort (18
     * frames of 750 were DTX); now the capture thread asks for complexity 2 there. The speech must
     * come out as well as with full effort throughout (the same codec with light encoding refused).
     */
    @Test
    void shouldEncodeANoiseFloorTheEncoderDoesNotCallDtxLightlyAndTheSpeechAsBefore() {
        short[] clip = TestAudio.samples(TestAudio.SPEECH);
        int lead = 5 * 48_000;
        short[] input = new short[lead + clip.length];
        System.arraycopy(clip, 0, input, lead, clip.length);
        java.util.Random random = new java.util.Random(11);
        double rms = 32768 * Math.pow(10, -40 / 20.0);
        for (int i = 0; i < input.length; i++) {
            input[i] = (short) Math.max(-32768, Math.min(32767, input[i] + Math.round(random.nextGaussian() * rms)));
        }
        double[] correlation = new double[2];
        long[] light = new long[2];
        for (int m = 0; m < 2; m++) {
            boolean lightAllowed = m == 0;
            LoopbackTransport[] pair = LoopbackTransport.pair(RealtimeMatrixTest.SECURE_PAYLOAD_BYTES);
            OpusCodec.Builder opus = OpusCodec.builder().warmUpMs(400);
            dev.viz.core.Codec talker = lightAllowed ? opus.build() : new FullEffort(opus.build());
            SimulatedCall.Result r = SimulatedCall.builder().profile(Profile.LOW_LATENCY).redundancy(Redundancy.AUTO)
                    .clock(new SimClock()).talkerInput(new ArrayInput(input, false))
                    .codecs(talker, opus.bitrateBps(6_000).build(), opus.build())
                    .compressors(new ZstdCompressor(), new ZstdCompressor())
                    .transports(pair[0], pair[1])
                    .byFrameCapacitySamples(input.length + 48_000)
                    .build().run();
            light[m] = r.talker.get(Stat.FRAMES_ENCODED_LIGHT);
            correlation[m] = RealtimeMatrixTest.byFrame(input, r);
            System.out.printf("-40 dBFS noise, 5 s of it before the speech, light encoding %s: %d of %d frames encoded light,"
                    + " %d not encoded as quiet; %d lost; envelope correlation %.3f%n", lightAllowed ? "allowed" : "refused",
                    light[m], r.talker.get(Stat.FRAMES_ENCODED), r.talker.get(Stat.FRAMES_QUIET_NOT_ENCODED),
                    r.listener.framesLost(), correlation[m]);
            assertEquals(0, r.listener.framesLost());
        }
        // 250 frames of noise before the speech, and the pauses in it.
        assertTrue(light[0] >= 250, "noise frames encoded light: " + light[0]);
        assertEquals(0, light[1], "a codec that refuses light encoding is never counted light");
        assertTrue(correlation[0] >= 0.9 && correlation[0] >= correlation[1] - 0.02,
                "the speech after the noise: " + correlation[0] + " against " + correlation[1] + " at full effort");
    }

    /** A codec that refuses light encoding, otherwise the one it wraps. */
    private static final class FullEffort implements dev.viz.core.Codec {
        private final dev.viz.core.Codec codec;

        FullEffort(dev.viz.core.Codec codec) {
            this.codec = codec;
        }

        @Override
        public String name() {
            return codec.name();
        }

        @Override
        public void open(dev.viz.core.AudioFormat format) {
            codec.open(format);
        }

        @Override
        public int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
            return codec.encode(pcm, pcmOffset, out, outOffset, maxBytes);
        }

        @Override
        public int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset) {
            return codec.decode(in, inOffset, length, pcm, pcmOffset);
        }

        @Override
        public int conceal(short[] pcm, int pcmOffset) {
            return codec.conceal(pcm, pcmOffset);
        }

        @Override
        public int recover(byte[] next, int nextOffset, int nextLength, short[] pcm, int pcmOffset) {
            return codec.recover(next, nextOffset, nextLength, pcm, pcmOffset);
        }

        @Override
        public void expectLoss(int lossPercent) {
            codec.expectLoss(lossPercent);
        }

        @Override
        public boolean targetBitrate(int bitrateBps) {
            return codec.targetBitrate(bitrateBps);
        }

        @Override
        public void warmUp() {
            codec.warmUp();
        }

        @Override
        public void close() {
            codec.close();
        }
    }
}
