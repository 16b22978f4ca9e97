package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Profile;
import dev.viz.core.Redundancy;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.internal.SimulatedCall;
import dev.viz.core.testing.ArrayInput;
import dev.viz.core.testing.IndexCodec;
import dev.viz.core.testing.SimClock;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.loopback.LoopbackTransport;
import org.junit.jupiter.api.Test;

/**
 * A simulated hour through the whole engine with the talker's sound card 500 ppm fast, then 500
 * ppm slow, against the listener's, on a path with 40 ms of jitter: the playout delay must stay
 * within its bound throughout (sampled every simulated second), absorbing 1.8 s of drift by
 * stretching and shrinking. The frame-index codec stands in for Opus, which would take minutes of
 * CPU for two hours of audio; the drift handling does not depend on the codec.
 */
class DriftTest {
    private static final long HOUR_NS = 3_600_000_000_000L;

    private static void assertBounded(Profile profile, double talkerPpm) {
        short[] speech = TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);
        SimClock clock = new SimClock();
        LoopbackTransport[] pair = LoopbackTransport.pair(RealtimeMatrixTest.SECURE_PAYLOAD_BYTES);
        ImpairmentSpec path = ImpairmentSpec.parse("jitter=40ms,seed=13").withDirection(ImpairmentSpec.Direction.OUT);
        SimulatedCall.Result r = SimulatedCall.builder().profile(profile).clock(clock)
                .talkerInput(new ArrayInput(speech, true))
                .codecs(new IndexCodec(speech, 32_000, true), new IndexCodec(speech, 6_000, true),
                        new IndexCodec(speech, 32_000, true))
                .transports(path.wrap(pair[0], clock), path.wrap(pair[1], clock))
                .durationNs(HOUR_NS).settleNs(30_000_000_000L).outputCapacitySamples(48_000)
                .drift(talkerPpm, 0)
                // Drift alone: with AUTO a call starts carrying copies and drops them after 10 s of a clean path
                // (issue 13), and the playout sheds the copies' delay in the speech's gaps, which is not drift.
                .redundancy(Redundancy.OFF)
                .build().run();
        SessionStats heard = r.listener;
        long net = heard.get(Stat.SHRUNK_MS) - heard.get(Stat.STRETCHED_MS);
        long bound = profile.maxPlayoutDelay().toMillis();
        long traceMin = Long.MAX_VALUE;
        long traceMax = 0;
        for (int s = 30; s < r.delayTraceMs.length; s++) {
            traceMin = Math.min(traceMin, r.delayTraceMs[s]);
            traceMax = Math.max(traceMax, r.delayTraceMs[s]);
        }
        System.out.printf("%s, talker %+.0f ppm for an hour: delay %d..%d ms after the first 30 s (bound %d ms);"
                + " net %s %d ms; %d late, %d concealed of %d frames%n", profile.cliName(), talkerPpm,
                r.minDelayAfterSettleMs, r.maxDelayAfterSettleMs, bound, net >= 0 ? "shrunk" : "stretched",
                Math.abs(net), heard.framesLate(), heard.get(Stat.FRAMES_CONCEALED), r.slots);
        assertTrue(r.simulatedNs >= HOUR_NS - 1_000_000_000L, "ran " + r.simulatedNs);
        assertEquals(0, r.longestStallNs, "stalled");
        assertTrue(r.maxDelayAfterSettleMs <= bound, "delay " + r.maxDelayAfterSettleMs + " over " + bound);
        assertTrue(traceMax - traceMin <= 150, "delay wandered " + traceMin + ".." + traceMax);
        // 500 ppm of an hour is 1.8 s to absorb, one way or the other, on top of whatever the delay
        // itself moved between the start and the end.
        int first = 0;
        while (r.delayTraceMs[first] < 0) {
            first++;
        }
        long moved = r.delayTraceMs[first] - r.delayTraceMs[r.delayTraceMs.length - 1];
        assertEquals(Math.signum(talkerPpm) * 1_800 + moved, net, 100, "net " + net + ", delay moved " + moved);
        assertTrue(heard.get(Stat.FRAMES_CONCEALED) < r.slots / 1000, "concealed " + heard.get(Stat.FRAMES_CONCEALED));
    }

    @Test
    void shouldKeepTheDelayBoundedForAnHourWithTheTalkerFast() {
        assertBounded(Profile.TUNNEL, +500);
    }

    @Test
    void shouldKeepTheDelayBoundedForAnHourWithTheTalkerSlow() {
        assertBounded(Profile.TUNNEL, -500);
    }

    @Test
    void shouldKeepTheLowLatencyDelayBoundedForAnHourWithTheTalkerSlow() {
        assertBounded(Profile.LOW_LATENCY, -500);
    }
}
