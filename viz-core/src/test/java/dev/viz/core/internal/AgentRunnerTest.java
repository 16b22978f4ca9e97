package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.SessionListener;
import dev.viz.core.VoiceSession;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AgentRunnerTest {
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final SessionSignals signals = new SessionSignals();
    private final Lifecycle lifecycle = new Lifecycle(null, new SessionListener() {
        @Override
        public void onError(VoiceSession session, String message, Throwable cause) {
            errors.add(Thread.currentThread().getName() + ": " + message);
        }
    }, signals, new Counters());

    /** An agent that records what its runner does with it, on which thread. */
    private static final class Recorder implements Agent {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final int throwAt;
        final int doneAt;
        int cycles;

        Recorder(int throwAt, int doneAt) {
            this.throwAt = throwAt;
            this.doneAt = doneAt;
        }

        @Override
        public void onStart(long nowNs) {
            calls.add("start " + Thread.currentThread().getName());
        }

        @Override
        public int doWork(long nowNs) {
            cycles++;
            if (cycles == throwAt) {
                throw new IllegalStateException("agent bug");
            }
            return cycles == doneAt ? DONE : cycles % 2;
        }

        @Override
        public void onClose(long nowNs) {
            calls.add("close " + Thread.currentThread().getName());
        }

        @Override
        public String roleName() {
            return "viz-test-agent";
        }
    }

    @Test
    void shouldEndTheSessionThroughTheOneErrorPathWhenAnAgentThrows() throws Exception {
        Recorder agent = new Recorder(5, -1);
        AtomicInteger exits = new AtomicInteger();
        AgentRunner runner = new AgentRunner(agent, new BackoffIdleStrategy(1_000, 100_000), signals, lifecycle,
                exits::incrementAndGet);
        runner.start();
        runner.thread().join(5_000);
        assertEquals(List.of("start viz-test-agent", "close viz-test-agent"), agent.calls);
        assertEquals(1, exits.get());
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith("viz-test-agent: viz-test-agent failed: java.lang.IllegalStateException"),
                errors.get(0));
        assertTrue(lifecycle.failure().contains("agent bug"));
        assertTrue(!signals.isRunning(), "the session ends");
    }

    @Test
    void shouldStopAnAgentThatIsDoneWithoutEndingTheSession() throws Exception {
        Recorder agent = new Recorder(-1, 7);
        AgentRunner runner = new AgentRunner(agent, new BackoffIdleStrategy(1_000, 100_000), signals, lifecycle,
                () -> { });
        runner.start();
        runner.thread().join(5_000);
        assertEquals(7, agent.cycles);
        assertEquals(List.of("start viz-test-agent", "close viz-test-agent"), agent.calls);
        assertTrue(signals.isRunning());
        assertTrue(errors.isEmpty());
    }

    @Test
    void shouldStopEveryAgentWhenTheSessionEnds() throws Exception {
        Recorder agent = new Recorder(-1, -1);
        AgentRunner runner = new AgentRunner(agent, new BackoffIdleStrategy(1_000, 100_000), signals, lifecycle,
                () -> { });
        runner.start();
        Thread.sleep(20);
        signals.end("closed");
        runner.thread().join(5_000);
        assertTrue(!runner.thread().isAlive());
        assertEquals("close viz-test-agent", agent.calls.get(agent.calls.size() - 1));
    }

    @Test
    void shouldParkLongerWhileQuietThanWhileBusy() {
        boolean[] busy = {true};
        BackoffIdleStrategy idle = new BackoffIdleStrategy(0, 50_000, 1_000_000, 5_000_000, () -> busy[0]);
        for (int i = 0; i < 20; i++) {
            idle.idle(0);
        }
        assertEquals(1_000_000, idle.nextParkNs(), "busy: parks at most 1 ms");
        busy[0] = false;
        for (int i = 0; i < 5; i++) {
            idle.idle(0);
        }
        assertEquals(5_000_000, idle.nextParkNs(), "quiet: parks up to 5 ms");
        idle.idle(1);
        assertEquals(50_000, idle.nextParkNs(), "work resets the backoff");
    }
}
