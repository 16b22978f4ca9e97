package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The device threads of a listener waiting for a call park up to a second at a time (so that waiting
 * costs next to nothing); the link coming up and the session ending must wake them at once, or the
 * first words of a call would be lost while the microphone waits to open, and closing would hang.
 */
@Timeout(30)
class SessionSignalsTest {
    /** A thread parked as the device idle strategy parks it while waiting (10 s here), and the time it took to wake. */
    private static long wakeMs(Consumer<SessionSignals> signal) throws Exception {
        SessionSignals signals = new SessionSignals();
        CountDownLatch parked = new CountDownLatch(1);
        long[] wokeNs = new long[1];
        Thread waiter = new Thread(() -> {
            parked.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // Spurious wake-ups aside, a park of 10 s ends only when unparked.
            while (!signals.isLinkUp() && signals.isRunning() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(deadline - System.nanoTime());
            }
            wokeNs[0] = System.nanoTime();
        });
        signals.wakeOnLinkUpAndEnd(waiter);
        waiter.start();
        assertTrue(parked.await(5, TimeUnit.SECONDS));
        Thread.sleep(200); // well inside the park
        long signalledNs = System.nanoTime();
        signal.accept(signals);
        waiter.join(5_000);
        assertFalse(waiter.isAlive());
        return (wokeNs[0] - signalledNs) / 1_000_000L;
    }

    @Test
    void shouldWakeAParkedThreadWhenTheLinkComesUp() throws Exception {
        long ms = wakeMs(SessionSignals::linkUp);
        assertTrue(ms < 1_000, "woke " + ms + " ms after the link came up");
    }

    @Test
    void shouldWakeAParkedThreadWhenTheSessionEnds() throws Exception {
        long ms = wakeMs(s -> s.end("closed"));
        assertTrue(ms < 1_000, "woke " + ms + " ms after the end");
    }
}
