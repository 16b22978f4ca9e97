package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Profile;
import dev.viz.core.Stat;
import dev.viz.core.internal.SimulatedCall;
import dev.viz.core.testing.ArrayInput;
import dev.viz.core.testing.IndexCodec;
import dev.viz.core.testing.SimClock;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.loopback.LoopbackTransport;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The whole engine on the hot path, both ways, over a bad path: capture and encode, batching with
 * redundant copies, receiver reports, loss adaptation, the impairment, reception, the adaptive
 * playout with its stretching and shrinking. After warm-up, minutes of call allocate nothing (the
 * codec here is the allocation-free frame-index codec; Concentus allocates inside every call, which
 * is its cost, not the engine's). The first call of each profile warms up; the second, identical
 * call is measured. The JVM itself now and then allocates a few hundred bytes to a few kilobytes on
 * the thread (when it deoptimizes and recompiles a method, at moments that vary from run to run),
 * unrelated to the frames: so the test bounds the average per frame, which any allocation of the
 * engine's own (16 bytes at least, every frame) would exceed many times over. The playout alone
 * and the impairment transport are measured at exactly 0 in their own tests.
 */
class EngineAllocationTest {
    @Test
    void shouldAllocateNothingOnceWarm() {
        assumeTrue(((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).isThreadAllocatedMemorySupported());
        for (Profile profile : Profile.values()) {
            call(profile);
            SimulatedCall.Result r = call(profile);
            System.out.printf("%s: %d bytes allocated in %d frames after warm-up (%d copies per batch, %d rebuilt,"
                    + " %d ms stretched, %d ms shrunk, %d reports)%n", profile.cliName(), r.allocatedBytes,
                    r.slotsMeasured, r.talker.get(Stat.REDUNDANT_COPIES), r.listener.get(Stat.FRAMES_RECOVERED),
                    r.listener.get(Stat.STRETCHED_MS), r.listener.get(Stat.SHRUNK_MS), r.listener.get(Stat.REPORTS_SENT));
            assertTrue(r.slotsMeasured > 5_000);
            assertTrue(r.listener.get(Stat.FRAMES_RECOVERED) > 0 && r.talker.get(Stat.REDUNDANT_COPIES) > 0,
                    "the loss paths ran");
            assertTrue(r.allocatedBytes < r.slotsMeasured, profile.cliName() + ": " + r.allocatedBytes
                    + " bytes allocated in " + r.slotsMeasured + " frames");
        }
    }

    private static SimulatedCall.Result call(Profile profile) {
        short[] speech = TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);
        SimClock clock = new SimClock();
        LoopbackTransport[] pair = LoopbackTransport.pair(RealtimeMatrixTest.SECURE_PAYLOAD_BYTES);
        ImpairmentSpec path = ImpairmentSpec.parse("loss=8%,reorder=2%,duplicate=2%,jitter=60ms,seed=17")
                .withDirection(ImpairmentSpec.Direction.OUT);
        return SimulatedCall.builder().profile(profile).clock(clock)
                .talkerInput(new ArrayInput(speech, true))
                .codecs(new IndexCodec(speech, 32_000, true), new IndexCodec(speech, 6_000, true),
                        new IndexCodec(speech, 32_000, true))
                .transports(path.wrap(pair[0], clock), path.wrap(pair[1], clock))
                .durationNs(300_000_000_000L).outputCapacitySamples(48_000)
                .measureAllocationFromNs(30_000_000_000L)
                .drift(200, 0)
                .build().run();
    }
}
