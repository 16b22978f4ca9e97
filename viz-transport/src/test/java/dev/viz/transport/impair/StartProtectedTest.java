package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Profile;
import dev.viz.core.Redundancy;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.internal.SimulatedCall;
import org.junit.jupiter.api.Test;

/**
 * The tunnel profile starts protected and its delay stays put (issue 13): with the default
 * redundancy the first batch already tells the listener how far behind copies come, so the playout
 * starts at the delay they need instead of jumping a whole batch (320 ms) when the first loss is
 * reported, which a listener hears and a comparison at one alignment counts against. Real Opus on
 * both sides, 20 s of speech, 3 % loss each way, simulated clock.
 */
class StartProtectedTest {
    @Test
    void shouldStartTheTunnelPlayoutAtTheDelayCopiesNeedAndKeepIt() {
        short[] speech = RealtimeMatrixTest.speech(20);
        SimulatedCall.Result r = RealtimeMatrixTest.call(Profile.TUNNEL,
                ImpairmentSpec.parse("loss=3%,jitter=20ms,seed=7"), speech, Redundancy.AUTO, 400_000_000L);
        SessionStats heard = r.listener;
        long recovered = heard.get(Stat.FRAMES_RECOVERED);
        long concealed = heard.get(Stat.FRAMES_CONCEALED);
        System.out.printf("tunnel, 3 %% loss, redundancy auto: %d lost, %d rebuilt, %d concealed; delay from 0.4 s"
                + " after playout began %d..%d ms (max %d)%n", heard.framesLost(), recovered, concealed,
                r.minDelayAfterSettleMs, r.maxDelayAfterSettleMs, r.maxDelayMs);
        assertTrue(heard.framesLost() > 0, "the path lost frames");
        assertEquals(8, r.talker.get(Stat.REDUNDANT_COPIES), "copies of the previous batch throughout");
        // The batch (320 ms) plus the copies' batch (320 ms), less what the quickest frame waits anyway.
        assertTrue(r.minDelayAfterSettleMs >= 550, "delay from the start " + r.minDelayAfterSettleMs);
        // No jump of a batch mid-call: the jitter moves it a little, copies coming later would move it 320 ms.
        assertTrue(r.maxDelayAfterSettleMs - r.minDelayAfterSettleMs <= 100,
                "delay moved " + r.minDelayAfterSettleMs + ".." + r.maxDelayAfterSettleMs);
        assertTrue(recovered >= heard.framesLost() * 8 / 10, "rebuilt " + recovered + " of " + heard.framesLost());
    }

    /**
     * The low-latency profile starts without copies (on a clean path they would cost 40 ms for
     * nothing), so on a lossy one its delay must move once, and early: frames missing after a clean
     * report make the next report due at once, any loss in the first seconds turns the copies on, and
     * they come two at once. Before, the delay moved twice, the second time when the reported loss
     * passed 7 %, 3 to 5 s into the call (two real processes: 0.926 at one lag).
     */
    @Test
    void shouldMoveTheLowLatencyDelayOnceAndWithinTwoSecondsOnALossyPath() {
        short[] speech = RealtimeMatrixTest.speech(20);
        for (int seed = 1; seed <= 6; seed++) {
            SimulatedCall.Result r = RealtimeMatrixTest.call(Profile.LOW_LATENCY,
                    ImpairmentSpec.parse("loss=10%,delay=20ms,jitter=40ms,seed=" + seed), speech, Redundancy.AUTO);
            SessionStats heard = r.listener;
            long[] trace = r.delayTraceMs; // once a second from the start of the call
            long end = trace[20];
            int settled = 20;
            while (settled > 0 && Math.abs(trace[settled - 1] - end) <= 10) {
                settled--;
            }
            System.out.printf("low-latency, 10 %% loss, seed %d: %d lost, %d rebuilt, %d early reports; delay each"
                    + " second %s, at its level from %d s%n", seed, heard.framesLost(), heard.get(Stat.FRAMES_RECOVERED),
                    heard.get(Stat.REPORTS_EARLY), java.util.Arrays.toString(java.util.Arrays.copyOf(trace, 21)),
                    settled);
            assertTrue(heard.get(Stat.REPORTS_EARLY) >= 1, "the first loss was reported early");
            assertEquals(2, r.talker.get(Stat.REDUNDANT_COPIES), "two copies");
            assertTrue(end >= 60, "the copies' delay: " + end);
            assertTrue(settled <= 2, "at its level by 2 s into the call and there to stay: " + java.util.Arrays.toString(trace));
        }
    }
}
