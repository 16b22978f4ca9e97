package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Stat;
import dev.viz.core.testing.TestAudio;
import org.junit.jupiter.api.Test;

/**
 * Two sound cards never agree: the talker's runs {@code ppm} fast or slow against the listener's
 * for a simulated hour (90 000 frames in batches of 8, speech with pauses), and the playout delay
 * must stay near its target throughout, by stretching and shrinking rather than drifting off.
 */
class PlayoutDriftTest {
    private static final long MS = 1_000_000L;
    private static final long HOUR_NS = 3_600_000L * MS;

    private record Outcome(long minDelayMs, long maxDelayMs, long stretchedMs, long shrunkMs, long concealed,
            long late, long slots, long accounted) { }

    private static Outcome run(double talkerPpm) {
        short[] speech = TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);
        PlayoutDriver d = new PlayoutDriver(40, speech, 20 * MS, 1500 * MS);
        double framePeriodNs = 40 * MS / (1 + talkerPpm * 1e-6);
        long minDelay = Long.MAX_VALUE;
        long maxDelay = 0;
        long frames = HOUR_NS / (40 * MS);
        for (long first = 0; first + 8 <= frames; first += 8) {
            long sentNs = (long) ((first + 8) * framePeriodNs);
            for (int i = 0; i < 8; i++) {
                d.arrive(first + i, sentNs + 3 * MS, EncodedFrame.FLAG_TIMED);
            }
            d.runDeviceUntil(sentNs + 3 * MS, 0);
            if (first >= 8 * 40 && d.playout.isStarted()) {
                long delay = d.playout.delayNs() / MS;
                minDelay = Math.min(minDelay, delay);
                maxDelay = Math.max(maxDelay, delay);
            }
        }
        return new Outcome(minDelay, maxDelay, d.get(Stat.STRETCHED_MS), d.get(Stat.SHRUNK_MS),
                d.get(Stat.FRAMES_CONCEALED), d.get(Stat.FRAMES_LATE), d.playout.slots(), d.slotsAccounted());
    }

    @Test
    void shouldKeepTheDelayBoundedForAnHourWithTheTalkerFast() {
        Outcome o = run(+500);
        System.out.println("drift +500 ppm, 1 h: " + o);
        // 500 ppm of an hour is 1.8 s the playout had to absorb, by shrinking.
        assertTrue(o.shrunkMs() - o.stretchedMs() >= 1700, "net shrink " + (o.shrunkMs() - o.stretchedMs()));
        assertTrue(o.minDelayMs() >= 270 && o.maxDelayMs() <= 330, "delay " + o.minDelayMs() + ".." + o.maxDelayMs());
        assertEquals(0, o.late());
        assertEquals(o.slots(), o.accounted());
    }

    @Test
    void shouldKeepTheDelayBoundedForAnHourWithTheTalkerSlow() {
        Outcome o = run(-500);
        System.out.println("drift -500 ppm, 1 h: " + o);
        assertTrue(o.stretchedMs() - o.shrunkMs() >= 1700, "net stretch " + (o.stretchedMs() - o.shrunkMs()));
        assertTrue(o.minDelayMs() >= 270 && o.maxDelayMs() <= 330, "delay " + o.minDelayMs() + ".." + o.maxDelayMs());
        assertEquals(0, o.late());
        assertEquals(0, o.concealed());
        assertEquals(o.slots(), o.accounted());
    }
}
