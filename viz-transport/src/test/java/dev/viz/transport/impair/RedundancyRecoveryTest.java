package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Profile;
import dev.viz.core.Redundancy;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.internal.SimulatedCall;
import org.junit.jupiter.api.Test;

/**
 * At 10 % random loss with redundancy on, a lost datagram's frames come back from the copies in
 * the datagrams after it: at least 90 % of the frames that did not arrive are rebuilt rather than
 * concealed. Real Opus on both sides, 40 s of speech, simulated clock.
 */
class RedundancyRecoveryTest {
    private static final ImpairmentSpec TEN_PERCENT =
            ImpairmentSpec.parse("loss=10%,seed=11").withDirection(ImpairmentSpec.Direction.OUT);

    private static void assertRebuilt(Profile profile) {
        short[] speech = RealtimeMatrixTest.speech(40);
        SimulatedCall.Result r = RealtimeMatrixTest.call(profile, TEN_PERCENT, speech, Redundancy.ON);
        SessionStats heard = r.listener;
        long recovered = heard.get(Stat.FRAMES_RECOVERED);
        long concealed = heard.get(Stat.FRAMES_CONCEALED);
        double rebuilt = 100.0 * recovered / (recovered + concealed);
        double correlation = RealtimeMatrixTest.byFrame(speech, r);
        System.out.printf("%s, 10 %% loss, redundancy on: %d frames lost, %d rebuilt (%d from FEC), %d concealed: "
                + "%.1f %% rebuilt; delay up to %d ms; envelope correlation %.3f; copies per batch %d%n",
                profile.cliName(), heard.framesLost(), recovered, heard.get(Stat.FRAMES_RECOVERED_FEC), concealed,
                rebuilt, r.maxDelayMs, correlation, r.talker.get(Stat.REDUNDANT_COPIES));
        // Random: 10 % on average, a few points either way over a 40 s call.
        assertTrue(heard.framesLost() > 0.04 * r.talker.framesSent(), "the path lost " + heard.framesLost() + " frames");
        assertTrue(rebuilt >= 90, profile.cliName() + ": " + rebuilt + " % of missing frames rebuilt");
        assertTrue(r.maxDelayMs <= profile.maxPlayoutDelay().toMillis());
    }

    @Test
    void shouldRebuildNineInTenLostFramesThroughATunnel() {
        assertRebuilt(Profile.TUNNEL);
    }

    @Test
    void shouldRebuildNineInTenLostFramesOnALowLatencyPath() {
        assertRebuilt(Profile.LOW_LATENCY);
    }
}
