package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.testing.TestAudio;
import org.junit.jupiter.api.Test;

class CellReportTest {
    private static short[] delayed(short[] pcm, int samples) {
        short[] out = new short[pcm.length + samples];
        System.arraycopy(pcm, 0, out, samples, pcm.length);
        return out;
    }

    @Test
    void shouldScoreSpeechDelayedBetweenTwoEnvelopeWindowsAsHighAsSpeechDelayedOnOne() {
        short[] sent = TestAudio.samples(TestAudio.SPEECH);
        double onGrid = CellReport.fixedLagCorrelation(sent, delayed(sent, 48 * 60), 3000);
        // 70 ms: half a 20 ms window off the grid; the grid-only search scored this about 0.1 lower
        double offGrid = CellReport.fixedLagCorrelation(sent, delayed(sent, 48 * 70), 3000);
        double oddMs = CellReport.fixedLagCorrelation(sent, delayed(sent, 48 * 63 + 17), 3000);
        System.out.printf("same speech heard 60 / 70 / 63.35 ms late: %.4f / %.4f / %.4f%n", onGrid, offGrid, oddMs);
        assertTrue(onGrid > 0.999, "on the grid " + onGrid);
        assertTrue(offGrid > 0.999, "between two windows " + offGrid);
        assertTrue(oddMs > 0.99, "a fraction of a millisecond off " + oddMs);
    }

    @Test
    void shouldScoreSpeechAgainstItsOwnSilencedHalfLow() {
        short[] sent = TestAudio.samples(TestAudio.SPEECH);
        short[] heard = delayed(sent, 48 * 70);
        java.util.Arrays.fill(heard, heard.length / 2, heard.length, (short) 0);
        double r = CellReport.fixedLagCorrelation(sent, heard, 3000);
        System.out.printf("second half silent: %.4f%n", r);
        assertTrue(r < 0.8, "a call that went silent half way scores low: " + r);
    }
}
