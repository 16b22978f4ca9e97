package dev.viz.audio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class FrameClockTest {
    private static void awaitParked(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.TIMED_WAITING, thread.getState(), "the waiter should be parked");
    }

    @Test
    void shouldWakeAWaiterOnStop() throws Exception {
        FrameClock clock = new FrameClock(true);
        clock.start(48_000);
        CompletableFuture<Thread> waiter = new CompletableFuture<>();
        CompletableFuture<Boolean> result = CompletableFuture.supplyAsync(() -> {
            waiter.complete(Thread.currentThread());
            try {
                return clock.await(48_000 * 60); // one minute of audio
            } catch (java.io.InterruptedIOException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitParked(waiter.get(5, TimeUnit.SECONDS));
        clock.stop();
        assertFalse(result.get(1, TimeUnit.SECONDS), "await reports the stop");
    }

    @Test
    void shouldStartAgainInsteadOfRushingAfterAStall() throws Exception {
        FrameClock clock = new FrameClock(true);
        clock.start(48_000);
        assertTrue(clock.await(1920));
        assertTrue(clock.await(1920));
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(400)); // a consumer stalled for ten frames
        long startNs = System.nanoTime();
        assertTrue(clock.await(1920), "the late frame is due at once");
        assertEquals(1, clock.xruns());
        assertTrue(clock.await(1920));
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(elapsedMs >= 30, "the next frame waits a period again, not " + elapsedMs + " ms");
    }

    @Test
    void shouldCatchUpSmallDelaysWithoutDrift() throws Exception {
        FrameClock clock = new FrameClock(false);
        clock.start(48_000);
        long startNs = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertTrue(clock.await(480)); // 10 ms blocks
        }
        long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(elapsedMs >= 85, "an output clock releases block k at k periods: " + elapsedMs + " ms");
        assertEquals(0, clock.xruns());
    }
}
