package dev.viz.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The comparison the end-to-end tests rely on must tell speech from what is not that speech. */
class SpeechComparisonTest {
    private static final short[] SPEECH = TestAudio.samples(TestAudio.SPEECH);

    private static short[] delayed(short[] pcm, int ms) {
        short[] out = new short[pcm.length + ms * 48];
        System.arraycopy(pcm, 0, out, ms * 48, pcm.length);
        return out;
    }

    @Test
    void shouldFindTheSameSpeechDelayed() {
        SpeechComparison.Result r = SpeechComparison.compare(SPEECH, delayed(SPEECH, 340), 48_000, 1000);
        assertTrue(r.correlation() > 0.99, r.toString());
        assertEquals(340, r.lagMs());
    }

    @Test
    void shouldFollowAPlayoutThatShiftsMidCall() {
        // 60 ms of extra delay inserted half way, as a playout that stretched audio would.
        short[] shifted = new short[SPEECH.length + 60 * 48];
        int half = SPEECH.length / 2;
        System.arraycopy(SPEECH, 0, shifted, 0, half);
        System.arraycopy(SPEECH, half, shifted, half + 60 * 48, SPEECH.length - half);
        SpeechComparison.Result r = SpeechComparison.compare(SPEECH, shifted, 48_000, 1000);
        System.out.println("shifted mid-call: " + r);
        assertTrue(r.correlation() > 0.95, r.toString());
    }

    @Test
    void shouldScoreUnrelatedAudioLow() {
        short[] reversed = SPEECH.clone();
        for (int i = 0; i < reversed.length / 2; i++) {
            short t = reversed[i];
            reversed[i] = reversed[reversed.length - 1 - i];
            reversed[reversed.length - 1 - i] = t;
        }
        short[] noise = new short[SPEECH.length];
        Random random = new Random(1);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (short) (random.nextGaussian() * 3000);
        }
        short[] otherSpeech = Arrays.copyOfRange(SPEECH, SPEECH.length / 2, SPEECH.length);
        otherSpeech = Arrays.copyOf(otherSpeech, SPEECH.length);
        System.arraycopy(SPEECH, 0, otherSpeech, SPEECH.length / 2, SPEECH.length / 2);
        for (short[] other : new short[][] {reversed, noise, otherSpeech}) {
            SpeechComparison.Result r = SpeechComparison.compare(SPEECH, other, 48_000, 1000);
            System.out.println("unrelated: " + r);
            assertTrue(r.correlation() < 0.6, r.toString());
        }
        assertTrue(SpeechComparison.compare(SPEECH, new short[SPEECH.length], 48_000, 1000).correlation() <= 0);
    }
}
