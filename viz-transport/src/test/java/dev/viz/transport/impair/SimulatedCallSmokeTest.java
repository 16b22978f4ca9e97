package dev.viz.transport.impair;

import dev.viz.core.Profile;
import dev.viz.core.internal.SimulatedCall;
import dev.viz.core.testing.ArrayInput;
import dev.viz.core.testing.IndexCodec;
import dev.viz.core.testing.SimClock;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.loopback.LoopbackTransport;
import org.junit.jupiter.api.Test;

class SimulatedCallSmokeTest {
    @Test
    void shouldRun() {
        for (Profile profile : Profile.values()) {
            for (String spec : new String[] {"", "loss=10%", "jitter=120ms", "loss=10%,jitter=40ms"}) {
                short[] speech = TestAudio.samples(TestAudio.SPEECH_WITH_GAPS);
                SimClock clock = new SimClock();
                LoopbackTransport[] pair = LoopbackTransport.pair();
                ImpairmentSpec s = ImpairmentSpec.parse(spec);
                SimulatedCall.Result r = SimulatedCall.builder().profile(profile).clock(clock)
                        .talkerInput(new ArrayInput(speech, false))
                        .codecs(new IndexCodec(speech, 32000, true), new IndexCodec(speech, 6000, true),
                                new IndexCodec(speech, 32000, true))
                        .transports(s.wrap(pair[0], clock), s.wrap(pair[1], clock))
                        .build().run();
                System.out.println(profile + " [" + spec + "] slots=" + r.slots + " maxDelay=" + r.maxDelayMs
                        + " settle=" + r.minDelayAfterSettleMs + ".." + r.maxDelayAfterSettleMs + " stall=" + r.longestStallNs / 1e6
                        + "\n  listener " + r.listener.toJson().replace("\n", " ")
                        + "\n  talker " + r.talker.toJson().replace("\n", " "));
            }
        }
    }
}
