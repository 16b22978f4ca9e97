package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.portaudio.ToneDetector;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OpusCodec's own promises beyond the codec contract: DTX, CBR, FEC, settings. */
class OpusCodecTest {
    private static final short[] SPEECH = TestAudio.samples(TestAudio.SPEECH);
    private static final short[] SPEECH_WITH_GAPS = TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);

    /** Packet lengths (length → count) of {@code speech} through {@code codec} at {@code frameMs}. */
    private static TreeMap<Integer, Integer> lengths(OpusCodec codec, int frameMs, short[] speech) {
        AudioFormat format = AudioFormat.mono48k(frameMs);
        codec.open(format);
        TreeMap<Integer, Integer> histogram = new TreeMap<>();
        byte[] out = new byte[Codec.MAX_ENCODED_BYTES];
        int frame = format.frameSamples();
        for (int at = 0; at + frame <= speech.length; at += frame) {
            int length = codec.encode(speech, at, out, 0, out.length);
            assertTrue(length > 0, "encode returned " + length);
            histogram.merge(length, 1, Integer::sum);
        }
        codec.close();
        return histogram;
    }

    private static long total(TreeMap<Integer, Integer> histogram) {
        return histogram.entrySet().stream().mapToLong(e -> (long) e.getKey() * e.getValue()).sum();
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {20, 40, 60})
    void shouldSendFarFewerBytesWithDtxOnSpeechWithGaps(int frameMs) {
        TreeMap<Integer, Integer> on = lengths(new OpusCodec(), frameMs, SPEECH_WITH_GAPS);
        TreeMap<Integer, Integer> off = lengths(OpusCodec.builder().dtx(false).build(), frameMs, SPEECH_WITH_GAPS);
        double ratio = total(on) / (double) total(off);
        System.out.printf("DTX at %d ms, CBR: %d bytes with DTX, %d without: ratio %.3f (%.0f %% fewer); lengths %s%n",
                frameMs, total(on), total(off), ratio, 100 * (1 - ratio), on);
        assertTrue(ratio < 0.8, "DTX saved only " + (1 - ratio));
        assertTrue(on.firstKey() <= 2, "silence goes out as 1-byte packets (2 bytes for 60 ms): " + on);
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {10, 20, 40, 60})
    void shouldKeepSpeechPacketLengthsConstantInCbr(int frameMs) {
        TreeMap<Integer, Integer> cbr = lengths(OpusCodec.builder().dtx(false).build(), frameMs, SPEECH);
        TreeMap<Integer, Integer> cbrDtx = lengths(new OpusCodec(), frameMs, SPEECH);
        TreeMap<Integer, Integer> vbr = lengths(OpusCodec.builder().dtx(false).constantBitrate(false).build(), frameMs,
                SPEECH);
        System.out.printf("%d ms: CBR lengths %s; CBR+DTX %s; VBR %d distinct lengths %d..%d%n", frameMs, cbr, cbrDtx,
                vbr.size(), vbr.firstKey(), vbr.lastKey());
        assertEquals(1, cbr.size(), "CBR without DTX: one packet length, got " + cbr);
        // With DTX: silence, and for joined frames a packet with some silent 20 ms frames; never more.
        int joined = Math.max(1, frameMs / 20);
        assertTrue(cbrDtx.size() <= 1 + joined, "CBR with DTX: lengths " + cbrDtx);
        assertTrue(vbr.size() > 10, "VBR lengths should vary with the speech: " + vbr);
    }

    @ParameterizedTest(name = "{0} ms frames")
    @ValueSource(ints = {20, 40, 60})
    void shouldNeverSendASteadyLoudToneAsSilence(int frameMs) {
        // Concentus (libopus 1.1) lacks the tonality analysis with which libopus 1.3 keeps a steady
        // tone active: alone, it called half of this tone's frames silence, played as comfort noise.
        short[] tone = new short[48_000 * 5];
        ToneDetector.sine(tone, 0, 440, 48_000, 8_200); // -12 dBFS peak
        TreeMap<Integer, Integer> lengths = lengths(new OpusCodec(), frameMs, tone);
        System.out.printf("440 Hz at -12 dBFS, %d ms frames, CBR+DTX: lengths %s%n", frameMs, lengths);
        assertEquals(1, lengths.size(), "every frame of the tone a full CBR packet: " + lengths);
        assertTrue(lengths.firstKey() > 10, lengths::toString);
    }

    @Test
    void shouldRecoverLostFramesFromInBandFec() {
        AudioFormat format = AudioFormat.mono48k(20);
        int frame = format.frameSamples();
        short[] lossy = new short[SPEECH.length / frame * frame];
        short[] concealed = new short[lossy.length];
        try (OpusCodec sender = OpusCodec.builder().build(); OpusCodec fecReceiver = new OpusCodec();
                OpusCodec plcReceiver = new OpusCodec()) {
            sender.open(format);
            fecReceiver.open(format);
            plcReceiver.open(format);
            sender.expectLoss(20);
            byte[][] packets = new byte[lossy.length / frame][];
            byte[] out = new byte[Codec.MAX_ENCODED_BYTES];
            for (int i = 0; i < packets.length; i++) {
                packets[i] = Arrays.copyOf(out, sender.encode(SPEECH, i * frame, out, 0, out.length));
            }
            int lost = 0;
            for (int i = 0; i < packets.length; i++) {
                boolean lose = i % 5 == 2 && i + 1 < packets.length;
                if (lose) {
                    lost++;
                    assertEquals(960, fecReceiver.recover(packets[i + 1], 0, packets[i + 1].length, lossy, i * frame));
                    assertEquals(960, plcReceiver.conceal(concealed, i * frame));
                } else {
                    assertEquals(960, fecReceiver.decode(packets[i], 0, packets[i].length, lossy, i * frame));
                    assertEquals(960, plcReceiver.decode(packets[i], 0, packets[i].length, concealed, i * frame));
                }
            }
            double fecError = lostFrameError(lossy, frame, packets.length);
            double plcError = lostFrameError(concealed, frame, packets.length);
            SpeechComparison.Result withFec = SpeechComparison.compare(SPEECH, lossy, 48_000, 200);
            SpeechComparison.Result withPlc = SpeechComparison.compare(SPEECH, concealed, 48_000, 200);
            System.out.printf("20 %% loss (%d of %d frames), 20 ms: FEC recovery %s, error %.1f dB; PLC %s, error %.1f dB%n",
                    lost, packets.length, withFec, fecError, withPlc, plcError);
            assertTrue(fecError < plcError - 1, "FEC should rebuild lost frames better than concealment");
        }
    }

    /** Mean error energy (dB relative to the original) over the frames the FEC test lost. */
    private static double lostFrameError(short[] decoded, int frame, int frames) {
        int delay = 312; // Opus lookahead at 48 kHz
        double error = 0;
        double signal = 0;
        for (int i = 2; i + 1 < frames; i += 5) {
            for (int s = i * frame; s < (i + 1) * frame; s++) {
                double original = SPEECH[s];
                double e = decoded[s + delay] - original;
                error += e * e;
                signal += original * original;
            }
        }
        return 10 * Math.log10(error / signal);
    }

    @Test
    void shouldWarmUpOnlyAfterOpen() {
        OpusCodec codec = OpusCodec.builder().warmUpMs(200).build();
        assertThrows(IllegalStateException.class, codec::warmUp);
        codec.open(AudioFormat.mono48k(40));
        codec.warmUp();
        codec.close();
    }

    @Test
    void shouldEncodeStereoAndOtherRates() {
        for (AudioFormat format : new AudioFormat[] {AudioFormat.of(48_000, 2, 20), AudioFormat.of(16_000, 1, 40)}) {
            try (OpusCodec codec = new OpusCodec()) {
                codec.open(format);
                short[] pcm = new short[format.frameSamples()];
                for (int i = 0; i < pcm.length; i++) {
                    pcm[i] = (short) (8000 * Math.sin(i * 0.07));
                }
                byte[] out = new byte[Codec.MAX_ENCODED_BYTES];
                int length = codec.encode(pcm, 0, out, 0, out.length);
                assertTrue(length > 0, format + ": encode returned " + length);
                assertEquals(format.frameSamplesPerChannel(), codec.decode(out, 0, length, pcm, 0), format.toString());
            }
        }
    }

    @Test
    void shouldValidateSettingsAndKeepBuildersImmutable() {
        OpusCodec.Builder base = OpusCodec.builder();
        OpusCodec.Builder low = base.bitrateBps(12_000).complexity(5);
        assertEquals(OpusCodec.DEFAULT_BITRATE_BPS, base.bitrateBps(), "the template is unchanged");
        assertEquals(12_000, low.bitrateBps());
        assertEquals(5, low.complexity());
        assertTrue(base.constantBitrate() && base.dtx() && !base.inbandFec() && base.adaptiveFec());
        assertThrows(IllegalArgumentException.class, () -> base.bitrateBps(1000));
        assertThrows(IllegalArgumentException.class, () -> base.complexity(11));
        assertThrows(IllegalArgumentException.class, () -> base.expectedLossPercent(101));
        assertThrows(IllegalStateException.class, () -> new OpusCodec().encode(new short[1920], 0, new byte[10], 0, 10));
    }
}
