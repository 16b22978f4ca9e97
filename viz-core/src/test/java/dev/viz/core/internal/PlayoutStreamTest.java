package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Stat;
import dev.viz.core.testing.TestAudio;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The playout over a reliable stream (issue 10, "Loss on a stream"): TCP turns each lost packet into a
 * stall of a retransmission timeout, after which the backlog arrives at once. The arrivals here are
 * what such a stream delivers (checked against traces of the real calls in {@code StreamLossTest}:
 * nothing for 220-290 ms, then every held datagram in one poll; in tunnel a stalled datagram late
 * and alone). The playout and its time scaler are the real ones, on recorded speech, driven by a
 * simulated clock; the codec is the frame-index test codec ({@code IndexCodec}), so every frame is
 * accounted for.
 */
class PlayoutStreamTest {
    private static final long MS = 1_000_000L;
    private static final long US = 1_000L;
    private static final short[] SPEECH = TestAudio.samples(TestAudio.SPEECH);

    /** Low-latency (20 ms frames, one per datagram, 10 ms margin, 500 ms bound). */
    private static PlayoutDriver lowLatency(boolean stream) {
        return new PlayoutDriver(20, SPEECH, 10 * MS, 500 * MS, stream);
    }

    /**
     * 20 s of low-latency frames over a path of 5 ms, stalled for {@code stallMs} every 2 s from the 2nd
     * second on: what was sent during a stall arrives at its end, all in one poll of the network thread
     * (one arrival time, as the receiver stamps a poll).
     *
     * @return the playout delay 1.9 s after the last stall, in ms
     */
    private static long stalledCall(PlayoutDriver d, long stallMs) {
        long stallEndNs = 0;
        long delayAfterLastStallMs = -1;
        for (long q = 0; q < 1000; q++) {
            long sentNs = (q + 1) * 20 * MS;
            long inStall = sentNs % (2_000 * MS);
            boolean stalled = sentNs >= 2_000 * MS && inStall < stallMs * MS;
            long at;
            if (stalled) {
                stallEndNs = sentNs - inStall + stallMs * MS + 5 * MS;
                at = stallEndNs;
            } else {
                at = Math.max(sentNs + 5 * MS, stallEndNs + 10 * US);
            }
            // A stream delivers in order: the device plays on until the frame arrives.
            d.runDeviceUntil(at, 0);
            d.arrive(q, at, EncodedFrame.FLAG_TIMED);
            if (q == 994) {
                delayAfterLastStallMs = d.playout.delayNs() / MS;
            }
        }
        return delayAfterLastStallMs;
    }

    /** Tunnel-profile batches (8 x 40 ms) carrying copies of the batch before, on a calm 5 ms path: the target after 10 s. */
    private static long tunnelTargetWithCopiesMs(boolean stream) {
        PlayoutDriver d = new PlayoutDriver(40, SPEECH, 20 * MS, 1500 * MS, stream);
        byte[] speech = new byte[100];
        for (long batch = 0; batch < 31; batch++) {
            long at = (batch + 1) * 320 * MS + 5 * MS;
            d.runDeviceUntil(at, 0);
            for (long q = batch * 8; q < batch * 8 + 8; q++) {
                d.arriveBytes(q, speech, speech.length, at, EncodedFrame.FLAG_TIMED, 320 * MS);
            }
        }
        d.runDeviceUntil(32 * 320 * MS, 0);
        return d.get(Stat.PLAYOUT_TARGET_MS);
    }

    @Test
    void shouldNotWaitForRedundantCopiesOverAStream() {
        long datagramsMs = tunnelTargetWithCopiesMs(false);
        long streamMs = tunnelTargetWithCopiesMs(true);
        System.out.printf("tunnel batches with copies of the batch before: target %d ms over datagrams, %d ms over a stream%n",
                datagramsMs, streamMs);
        // Over datagrams a lost batch's frames come a batch later, in the next one's copies: the target waits for them.
        assertTrue(datagramsMs >= 600, "over datagrams " + datagramsMs);
        // Over a stream nothing is lost: the batch and the margin, not the copies' batch on top.
        assertTrue(streamMs < datagramsMs - 250, "over a stream " + streamMs + " (datagrams " + datagramsMs + ")");
    }

    @Test
    void shouldKeepTheLowLatencyDelayUnderThreeHundredMillisecondsThroughRetransmissionStalls() {
        PlayoutDriver d = lowLatency(true);
        long settledMs = stalledCall(d, 250);
        long maxMs = d.get(Stat.PLAYOUT_DELAY_MAX_MS);
        System.out.printf("stream, 9 stalls of 250 ms: delay max %d ms, after the last %d ms, target %d ms; played %d,"
                        + " late %d, concealed %d ms, shrunk %d ms, stretched %d ms%n", maxMs, settledMs,
                d.get(Stat.PLAYOUT_TARGET_MS), d.get(Stat.FRAMES_PLAYED), d.get(Stat.FRAMES_LATE),
                d.get(Stat.CONCEALED_MS), d.get(Stat.SHRUNK_MS), d.get(Stat.STRETCHED_MS));
        // The playout waits for a stalled frame only up to its stall limit (250 ms of delay, half the
        // bound), then gives the rest of the stall up: it never follows a stall to its end.
        assertTrue(maxMs <= 250, "delay max " + maxMs);
        // The bursts never raise the target: after each stall the playout catches up to its delay
        // on a calm path (5 ms path, 10 ms margin: about 15 ms above the quickest frame).
        assertTrue(d.get(Stat.PLAYOUT_TARGET_MS) < 40, "target " + d.get(Stat.PLAYOUT_TARGET_MS));
        assertTrue(settledMs < 40, "delay 1.9 s after the last stall: " + settledMs);
        // What the wait bought: of each 250 ms stall, only what is beyond the limit is lost (a frame
        // or two); the rest plays, late, and is caught up on.
        assertTrue(d.get(Stat.FRAMES_LATE) <= 9 * 2, "late " + d.get(Stat.FRAMES_LATE));
        long played = d.get(Stat.FRAMES_PLAYED) + d.get(Stat.FRAMES_DTX); // the clip's pauses are DTX
        assertTrue(played >= 1000 - 9 * 2 - 5, "played " + played);
        assertEquals(d.slotsAccounted(), d.playout.slots());
    }

    /** The same arrivals as a datagram path would deliver them: the playout takes the bursts for jitter. */
    @Test
    void shouldGrowTheTargetForTheSameBurstsOverADatagramPath() {
        PlayoutDriver d = lowLatency(false);
        stalledCall(d, 250);
        System.out.printf("datagrams, the same arrivals: delay max %d ms, target %d ms, late %d%n",
                d.get(Stat.PLAYOUT_DELAY_MAX_MS), d.get(Stat.PLAYOUT_TARGET_MS), d.get(Stat.FRAMES_LATE));
        // Over UDP, bursts like these are how the path behaves: the target follows them (unchanged behaviour).
        assertTrue(d.get(Stat.PLAYOUT_TARGET_MS) > 200, "target " + d.get(Stat.PLAYOUT_TARGET_MS));
    }

    @Test
    void shouldWaitOutAShortStallWithoutLosingAFrame() {
        PlayoutDriver d = lowLatency(true);
        long settledMs = stalledCall(d, 120);
        assertEquals(0, d.get(Stat.FRAMES_LATE), "frames given up");
        assertTrue(d.get(Stat.PLAYOUT_DELAY_MAX_MS) < 180, "delay max " + d.get(Stat.PLAYOUT_DELAY_MAX_MS));
        assertTrue(settledMs < 40, "delay 1.9 s after the last stall: " + settledMs);
    }

    /**
     * Tunnel profile: 8 frames of 40 ms a datagram, 320 ms apart. A lost datagram is retransmitted
     * once the next one is acknowledged (RACK), so it comes 330 ms late, with the next one (in the
     * next poll, 10 us later). The stall is waited out whole.
     */
    @Test
    void shouldWaitOutAStallInTheTunnelProfileAndComeBackToItsDelay() {
        PlayoutDriver d = new PlayoutDriver(40, SPEECH, 20 * MS, 1500 * MS, true);
        long stallEndNs = 0;
        long settledMs = -1;
        for (int b = 0; b < 60; b++) {
            long first = 8L * b;
            long sentNs = (first + 8) * 40 * MS;
            long at = sentNs + 5 * MS;
            if (b == 20 || b == 40) {
                stallEndNs = at + 330 * MS;
                at = stallEndNs;
            } else if (b == 21 || b == 41) {
                at = Math.max(at, stallEndNs + 10 * US);
            }
            d.runDeviceUntil(at, 0);
            for (int i = 0; i < 8; i++) {
                d.arrive(first + i, at, EncodedFrame.FLAG_TIMED);
            }
            if (b == 59) {
                settledMs = d.playout.delayNs() / MS;
            }
        }
        System.out.printf("tunnel over a stream, 2 stalls of 330 ms: delay max %d ms, at the end %d ms, late %d%n",
                d.get(Stat.PLAYOUT_DELAY_MAX_MS), settledMs, d.get(Stat.FRAMES_LATE));
        assertEquals(0, d.get(Stat.FRAMES_LATE), "frames given up");
        assertTrue(d.get(Stat.PLAYOUT_DELAY_MAX_MS) <= 750, "delay max " + d.get(Stat.PLAYOUT_DELAY_MAX_MS));
        assertEquals(300, settledMs, 15);
    }

    /**
     * Tunnel profile: a lost datagram is retransmitted after the retransmission timeout (about 210 ms),
     * before the next one is sent, so it comes late alone, and the next one on time (as in the traces
     * of {@code StreamLossTest}). Waited out, and its lateness does not stay in the target.
     */
    @Test
    void shouldNotKeepALoneStalledDatagramInTheTargetInTheTunnelProfile() {
        PlayoutDriver d = new PlayoutDriver(40, SPEECH, 20 * MS, 1500 * MS, true);
        long targetAfterStallMs = -1;
        for (int b = 0; b < 40; b++) {
            long first = 8L * b;
            long at = (first + 8) * 40 * MS + 5 * MS + (b == 10 ? 210 * MS : 0);
            d.runDeviceUntil(at, 0);
            for (int i = 0; i < 8; i++) {
                d.arrive(first + i, at, EncodedFrame.FLAG_TIMED);
            }
            if (b == 20) {
                targetAfterStallMs = d.get(Stat.PLAYOUT_TARGET_MS);
            }
        }
        System.out.printf("tunnel over a stream, a lone datagram 210 ms late: delay max %d ms, target 3 s later %d ms,"
                + " late %d%n", d.get(Stat.PLAYOUT_DELAY_MAX_MS), targetAfterStallMs, d.get(Stat.FRAMES_LATE));
        assertEquals(0, d.get(Stat.FRAMES_LATE), "frames given up");
        assertEquals(300, targetAfterStallMs, 10);
        assertEquals(300, d.playout.delayNs() / MS, 15);
    }

    /**
     * 12 s of untimed frames (a long DTX run in big batches) age every timed offset out of the
     * window; then timed frames come back, earlier than before. Nothing it remembered of the old
     * groups may reach past the window.
     */
    @Test
    void shouldKeepPlayingWhenTheWindowAgedOutWhatItRememberedOfTheLastGroups() {
        PlayoutDriver d = new PlayoutDriver(40, SPEECH, 20 * MS, 1500 * MS, true);
        for (int b = 0; b < 70; b++) {
            long first = 8L * b;
            long at = (first + 8) * 40 * MS + (b < 10 ? 200 : 5) * MS;
            d.runDeviceUntil(at, 0);
            for (int i = 0; i < 8; i++) {
                if (b < 10 || b >= 48) {
                    d.arrive(first + i, at, EncodedFrame.FLAG_TIMED);
                } else {
                    d.arriveBytes(first + i, new byte[0], 0, at, 0);
                }
            }
        }
        // 80 frames before the silence, 176 after it: nearly all play.
        assertTrue(d.get(Stat.FRAMES_PLAYED) >= 80 + 150, "played " + d.get(Stat.FRAMES_PLAYED));
        assertEquals(d.slotsAccounted(), d.playout.slots());
    }

    /** Jitter that is not a stall (datagrams spread, not bunched) still sets the target over a stream. */
    @Test
    void shouldStillFollowJitterThatIsNotAStall() {
        PlayoutDriver d = lowLatency(true);
        Random random = new Random(5);
        long lastAt = 0;
        for (long q = 0; q < 1000; q++) {
            long sentNs = (q + 1) * 20 * MS;
            long at = Math.max(lastAt + 6 * MS, sentNs + 5 * MS + (long) (random.nextDouble() * 60 * MS));
            lastAt = at;
            d.runDeviceUntil(at, 0);
            d.arrive(q, at, EncodedFrame.FLAG_TIMED);
        }
        System.out.printf("stream with 60 ms of jitter: target %d ms, late %d%n", d.get(Stat.PLAYOUT_TARGET_MS),
                d.get(Stat.FRAMES_LATE));
        assertTrue(d.get(Stat.PLAYOUT_TARGET_MS) >= 55, "target " + d.get(Stat.PLAYOUT_TARGET_MS));
        assertTrue(d.get(Stat.FRAMES_LATE) <= 10, "late " + d.get(Stat.FRAMES_LATE));
    }
}
