package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.SessionListener;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.VoiceSession;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final List<SessionState> states = Collections.synchronizedList(new ArrayList<>());
    private final SessionListener recording = new SessionListener() {
        @Override
        public void onStateChanged(VoiceSession session, SessionState state) {
            states.add(state);
        }
    };

    @Test
    void shouldMoveOnlyAlongTheStateMachine() {
        SessionSignals signals = new SessionSignals();
        Lifecycle lifecycle = new Lifecycle(null, recording, signals, new Counters());
        lifecycle.reconnecting("not connected yet");
        lifecycle.connected();
        assertEquals(SessionState.NEW, lifecycle.state(), "nothing moves before start");
        assertTrue(lifecycle.start());
        assertFalse(lifecycle.start(), "started once");
        lifecycle.connected();
        lifecycle.connected();
        lifecycle.reconnecting("path lost");
        lifecycle.connected();
        assertTrue(lifecycle.ended("closed"));
        assertFalse(lifecycle.ended("again"));
        lifecycle.connected();
        assertEquals(List.of(SessionState.CONNECTING, SessionState.CONNECTED, SessionState.RECONNECTING,
                SessionState.CONNECTED, SessionState.ENDED), states);
        assertEquals("closed", signals.endReason());
        assertFalse(signals.isRunning());
    }

    /**
     * The engine used to read the state and then set it in two steps while several threads ended
     * the session together, so ENDED could be reported twice, or a CONNECTED be reported after it.
     */
    @RepeatedTest(50)
    void shouldReportEndedExactlyOnceWhenThreadsRaceToEnd() throws Exception {
        Lifecycle lifecycle = new Lifecycle(null, recording, new SessionSignals(), new Counters());
        lifecycle.start();
        int threads = 4;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int id = i;
            Thread t = new Thread(() -> {
                try {
                    barrier.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                if (id % 2 == 0) {
                    lifecycle.connected();
                }
                lifecycle.ended("thread " + id);
                lifecycle.connected();
            });
            t.start();
            all.add(t);
        }
        for (Thread t : all) {
            t.join();
        }
        assertEquals(1, states.stream().filter(s -> s == SessionState.ENDED).count(), states.toString());
        assertEquals(SessionState.ENDED, states.get(states.size() - 1), "nothing after ENDED: " + states);
        assertTrue(lifecycle.awaitEnd(0));
    }

    @Test
    void shouldLogAThrowingHookOnceAndKeepCallingIt() {
        int[] calls = new int[2];
        SessionListener throwing = new SessionListener() {
            @Override
            public void onError(VoiceSession session, String message, Throwable cause) {
                calls[0]++;
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onStats(VoiceSession session, SessionStats stats) {
                calls[1]++;
                throw new IllegalStateException("another listener bug");
            }
        };
        Lifecycle lifecycle = new Lifecycle(null, throwing, new SessionSignals(), new Counters());
        for (int i = 0; i < 3; i++) {
            lifecycle.error("device hiccup " + i, null);
            lifecycle.publishStats();
        }
        assertEquals(3, calls[0], "onError is still called after it threw");
        assertEquals(3, calls[1]);
        assertEquals(6, lifecycle.listenerThrows());
        assertEquals(2, lifecycle.throwsLogged(), "one log line per hook that threw, not per throw");
    }

    @Test
    void shouldKeepTheFirstFailureAndEndTheSession() {
        SessionSignals signals = new SessionSignals();
        Lifecycle lifecycle = new Lifecycle(null, SessionListener.NONE, signals, new Counters());
        lifecycle.start();
        lifecycle.fail("input failed", null);
        lifecycle.fail("network failed", null);
        assertEquals("input failed", lifecycle.failure());
        assertEquals("input failed", signals.endReason());
        assertFalse(signals.isRunning());
    }
}
