package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Stat;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-frame work mute, the input level and the output gain add to the capture and playback
 * threads: exact figures, and no allocation (ThreadMXBean, as {@link HotPathAllocationTest}).
 */
class LevelAndGainTest {
    private static final int FRAME = 1920;

    private static short[] sine(double amplitude) {
        short[] pcm = new short[FRAME];
        for (int i = 0; i < FRAME; i++) {
            pcm[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * 1000 * i / 48_000.0));
        }
        return pcm;
    }

    @Test
    void shouldMeasurePeakAndRmsInTenthsOfADbfs() {
        Counters counters = new Counters();
        CaptureAgent.measureLevel(sine(0.5), counters);
        assertEquals(-60, counters.get(Stat.INPUT_PEAK_TENTHS_DBFS), "20 log10(0.5) = -6.02");
        assertEquals(-90, counters.get(Stat.INPUT_RMS_TENTHS_DBFS), "a sine's RMS is 3.01 dB under its peak");
        short[] full = new short[FRAME];
        java.util.Arrays.fill(full, Short.MIN_VALUE);
        CaptureAgent.measureLevel(full, counters);
        assertEquals(0, counters.get(Stat.INPUT_PEAK_TENTHS_DBFS));
        assertEquals(0, counters.get(Stat.INPUT_RMS_TENTHS_DBFS));
        CaptureAgent.measureLevel(new short[FRAME], counters);
        assertEquals(CaptureAgent.SILENCE_TENTHS_DBFS, counters.get(Stat.INPUT_PEAK_TENTHS_DBFS));
        assertEquals(CaptureAgent.SILENCE_TENTHS_DBFS, counters.get(Stat.INPUT_RMS_TENTHS_DBFS));
        short[] oneLsb = new short[FRAME];
        oneLsb[7] = 1;
        CaptureAgent.measureLevel(oneLsb, counters);
        assertEquals(-903, counters.get(Stat.INPUT_PEAK_TENTHS_DBFS), "one LSB is -90.3 dBFS");
    }

    @Test
    void shouldScaleAndSaturateWhatIsPlayed() {
        short[] pcm = {1000, -1000, 30_000, -30_000, 1};
        PlaybackAgent.applyGain(pcm, 4, 0.5f);
        assertEquals(500, pcm[0]);
        assertEquals(-500, pcm[1]);
        assertEquals(15_000, pcm[2]);
        assertEquals(-15_000, pcm[3]);
        assertEquals(1, pcm[4], "only the samples asked for");
        PlaybackAgent.applyGain(pcm, 5, 4.0f);
        assertEquals(Short.MAX_VALUE, pcm[2], "saturates rather than wraps");
        assertEquals(Short.MIN_VALUE, pcm[3]);
    }

    @Test
    void shouldAllocateNothingPerFrame() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "skipped: this JVM does not count allocated bytes per thread");
        Counters counters = new Counters();
        SessionSignals controls = new SessionSignals();
        short[] captured = sine(0.3);
        short[] played = sine(0.3);
        controls.outputGain(0.8);
        runFrames(20_000, counters, controls, captured, played);
        long before = threads.getCurrentThreadAllocatedBytes();
        runFrames(10_000, counters, controls, captured, played);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 10_000, allocated + " bytes over 10,000 frames: under 1 byte per frame is required");
    }

    private static void runFrames(int frames, Counters counters, SessionSignals controls, short[] captured,
            short[] played) {
        for (int i = 0; i < frames; i++) {
            CaptureAgent.measureLevel(captured, counters);
            if (controls.isMuted()) {
                java.util.Arrays.fill(captured, (short) 0);
            }
            PlaybackAgent.applyGain(played, played.length, controls.outputGain());
            if ((i & 63) == 0) {
                // Keep the played signal from decaying to zero (0.8 per frame) and exercise the volatile write.
                System.arraycopy(captured, 0, played, 0, played.length);
                controls.mute(false);
            }
        }
    }
}
