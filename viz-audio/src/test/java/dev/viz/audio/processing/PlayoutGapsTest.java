package dev.viz.audio.processing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PlayoutGaps} on the write times of a blocking output device fed 20 ms writes: the write
 * returns when the device has room, so the times follow the device's clock plus scheduling jitter.
 */
class PlayoutGapsTest {
    static final int RATE = 48_000;
    static final int N = 960;
    static final long FRAME_NS = 20_000_000L;

    /**
     * Feeds {@code times.length} writes; returns the gaps found as {write index, gap samples, gapAt},
     * and corrections as {write index, -samples taken back, correctionAt}.
     */
    static long[][] run(long[] times) {
        PlayoutGaps gaps = new PlayoutGaps(RATE);
        long written = 0;
        long[][] found = new long[times.length][];
        int count = 0;
        for (int i = 0; i < times.length; i++) {
            int gap = gaps.wrote(written, N, times[i]);
            written += N + gap;
            if (gap != 0) {
                found[count++] = new long[] {i, gap, gap > 0 ? gaps.gapAt() : gaps.correctionAt()};
            }
        }
        return java.util.Arrays.copyOf(found, count);
    }

    /** Write times at the device's pace with up to {@code jitterMs} of lateness (one-sided, as a scheduler's). */
    static long[] paced(int writes, double jitterMs, long seed) {
        Random random = new Random(seed);
        long[] times = new long[writes];
        for (int i = 0; i < writes; i++) {
            times[i] = i * FRAME_NS + (long) (random.nextDouble() * jitterMs * 1e6);
        }
        return times;
    }

    @Test
    void shouldFindAnUnderrunItsLengthAndWhereItBegan() {
        long[] times = paced(500, 1.5, 1);
        // At write 200 the player comes 61 ms late; the device (20 ms buffered) played 41 ms of silence,
        // and every later write returns 41 ms later than before.
        for (int i = 200; i < times.length; i++) {
            times[i] += 41_000_000L;
        }
        long[][] found = run(times);
        assertTrue(found.length == 1 || found.length == 2 && found[1][1] < 0,
                "one underrun, perhaps corrected once: " + java.util.Arrays.deepToString(found));
        long total = found[0][1] + (found.length == 2 ? found[1][1] : 0);
        assertEquals(41 * RATE / 1000, total, RATE / 2000.0, "silence played (samples)");
        assertEquals(200L * N, found[0][2], "where the silence began");
    }

    @Test
    void shouldTakeBackSilencePutInTooMuch() {
        long[] times = paced(500, 0, 7);
        // 41 ms lost at write 200; the plateau's first writes come back 1.5 ms late (scheduling), so
        // the silence is first measured 1.5 ms too long, then corrected once the writes show the floor.
        for (int i = 200; i < times.length; i++) {
            times[i] += 41_000_000L + (i < 206 ? 1_500_000L : 0);
        }
        long[][] found = run(times);
        assertEquals(2, found.length, "underrun, then its correction");
        assertEquals(1, Long.signum(found[0][1]));
        assertEquals(41 * RATE / 1000, found[0][1] + found[1][1], 1, "silence played (samples), after the correction");
        assertEquals(-72, found[1][1], 1, "samples taken back");
    }

    @Test
    void shouldDismissALateWriteTheBufferAbsorbed() {
        long[] times = paced(500, 1.5, 2);
        times[200] += 15_000_000L; // late, but the buffer still held 20 ms: the next write is back on time
        times[300] += 12_000_000L;
        times[301] += 6_000_000L;
        assertEquals(0, run(times).length, "underruns found");
    }

    @Test
    void shouldDismissWritesThatComeBackLaterForAWhileWithNoSilencePlayed() {
        long[] times = paced(500, 0.5, 5);
        for (int i = 200; i < 204; i++) {
            times[i] += 4_700_000L; // seen through the pulse plugin: 4 writes 4.7 ms late, then the floor again
        }
        assertEquals(0, run(times).length, "underruns found");
    }

    @Test
    void shouldFindASmallUnderrunOnceItHolds() {
        long[] times = paced(500, 0.5, 6);
        for (int i = 200; i < times.length; i++) {
            times[i] += 4_000_000L;
        }
        long[][] found = run(times);
        assertEquals(1, found.length, "underruns found");
        assertEquals(4 * RATE / 1000, found[0][1], RATE / 1000.0, "silence played (samples)");
        assertEquals(200L * N, found[0][2], "where the silence began");
    }

    @Test
    void shouldNotTakeADeviceClockOffTheSystemClockForUnderruns() {
        for (double ppm : new double[] {-300, 300}) {
            long[] times = paced(6000, 1.5, 3); // two minutes
            for (int i = 0; i < times.length; i++) {
                times[i] += (long) (i * FRAME_NS * ppm * 1e-6);
            }
            assertEquals(0, run(times).length, "underruns found at " + ppm + " ppm");
        }
    }

    @Test
    void shouldFindEachUnderrunOfAStallThatGoesOn() {
        long[] times = paced(600, 1.5, 4);
        // A rolling stall: 30 ms lost at write 100, 80 ms more at write 101 (both before the catch-up).
        for (int i = 100; i < times.length; i++) {
            times[i] += i == 100 ? 30_000_000L : 110_000_000L;
        }
        long[][] found = run(times);
        long total = 0;
        for (long[] f : found) {
            total += f[1];
        }
        assertEquals(110 * RATE / 1000, total, RATE / 1000.0, "silence played (samples) over " + found.length
                + " underruns");
        assertEquals(100L * N, found[0][2], "where the silence began");
    }

    @Test
    void shouldIgnoreTimestampsThatDoNotAdvance() {
        assertEquals(0, run(new long[1000]).length, "underruns found with every timestamp 0");
    }
}
