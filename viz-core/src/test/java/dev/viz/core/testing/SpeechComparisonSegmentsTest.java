package dev.viz.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SpeechComparison#compareSegments} follows a call whose delay grows by a batch or two
 * (320 ms each in the tunnel profile) during the call; it must still score what was not said as
 * low as {@link SpeechComparison#compare} does (under 0.6, the bar of SpeechComparisonTest).
 */
class SpeechComparisonSegmentsTest {
    private static final short[] SPEECH = TestAudio.samples(TestAudio.SPEECH);

    private static short[] delayed(short[] x, int samples) {
        short[] y = new short[x.length + samples];
        System.arraycopy(x, 0, y, samples, x.length);
        return y;
    }

    @Test
    void shouldFollowADelayThatGrowsABatchAtATime() {
        // A third 300 ms late, a third 620 ms, a third 940 ms: a playout that grew twice by a batch.
        int third = SPEECH.length / 3;
        short[] heard = new short[SPEECH.length + 48_000];
        System.arraycopy(SPEECH, 0, heard, 14_400, third);
        System.arraycopy(SPEECH, third, heard, third + 29_760, third);
        System.arraycopy(SPEECH, 2 * third, heard, 2 * third + 45_120, SPEECH.length - 2 * third);
        double segments = SpeechComparison.compareSegments(SPEECH, heard, 48_000, 2_500);
        double global = SpeechComparison.compare(SPEECH, heard, 48_000, 2_500).correlation();
        System.out.printf("delay grown twice by 320 ms: compareSegments %.3f, compare %.3f%n", segments, global);
        // The two segments where the delay jumps hold 320 ms of inserted silence each: one lag cannot
        // fit all of either, so the score stays below 1; one lag for the whole call does far worse.
        assertTrue(segments > 0.75 && segments > global + 0.2, "grown delay: " + segments + ", compare " + global);
    }

    @Test
    void shouldScoreWhatWasNotSaidLow() {
        short[] reversed = new short[SPEECH.length];
        for (int i = 0; i < SPEECH.length; i++) {
            reversed[i] = SPEECH[SPEECH.length - 1 - i];
        }
        short[] noise = new short[SPEECH.length];
        Random random = new Random(1);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (short) (random.nextGaussian() * 3000);
        }
        short[] other = TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);
        double againstReversed = SpeechComparison.compareSegments(SPEECH, delayed(reversed, 9_600), 48_000, 2_500);
        double againstNoise = SpeechComparison.compareSegments(SPEECH, noise, 48_000, 2_500);
        double againstOther = SpeechComparison.compareSegments(SPEECH, other, 48_000, 2_500);
        System.out.printf("compareSegments: reversed %.3f, noise %.3f, other speech %.3f%n", againstReversed,
                againstNoise, againstOther);
        assertTrue(againstReversed < 0.6, "reversed speech " + againstReversed);
        assertTrue(againstNoise < 0.6, "noise " + againstNoise);
        assertTrue(againstOther < 0.6, "other speech " + againstOther);
    }
}
