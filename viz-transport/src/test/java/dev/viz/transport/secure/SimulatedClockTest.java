package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.loopback.LoopbackTransport;
import org.junit.jupiter.api.Test;

/**
 * The secure layer keeps the time it is given in {@code doWork(nowNs)} and no other: driven by a
 * simulated clock that starts at zero, a handshake completes, INITs are retried and the peer is
 * probed exactly when that clock says, whatever the real time.
 */
class SimulatedClockTest {
    private static final long MS = 1_000_000L;
    private final byte[] buffer = new byte[2048];

    private static SecureTransport secure(Transport inner, SecureTransport.Role role) throws Exception {
        SecureTransport t = SecureTransport.wrap(inner).identity(Identity.generate()).role(role).build();
        t.open(new Transport.Events() { });
        return t;
    }

    private void pump(long nowNs, SecureTransport... sides) {
        for (SecureTransport side : sides) {
            side.doWork(nowNs);
            while (side.receive(buffer, 0, buffer.length) > 0) {
                // payloads are not what this test looks at
            }
        }
    }

    @Test
    void shouldCompleteAHandshakeOnASimulatedClockFromZero() throws Exception {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        SecureTransport caller = secure(pair[0], SecureTransport.Role.INITIATOR);
        SecureTransport listener = secure(pair[1], SecureTransport.Role.RESPONDER);
        long t = 0;
        for (int i = 0; i < 20 && !(caller.isReady() && listener.isReady()); i++, t += MS) {
            pump(t, caller, listener);
        }
        assertTrue(caller.isReady() && listener.isReady(), "secured within 20 simulated ms");
        assertEquals(1, caller.handshakesStarted(), "no retry: the simulated clock barely moved");
        assertEquals(caller.verificationCode(), listener.verificationCode());
    }

    @Test
    void shouldRetryTheInitWhenTheGivenClockSays() throws Exception {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        SecureTransport caller = secure(pair[0], SecureTransport.Role.INITIATOR); // nobody answers
        try {
            caller.doWork(0);
            assertEquals(1, caller.handshakesStarted());
            caller.doWork(499 * MS);
            assertEquals(1, caller.handshakesStarted(), "not before 0.5 s");
            caller.doWork(500 * MS);
            assertEquals(2, caller.handshakesStarted(), "at 0.5 s");
            caller.doWork(1_499 * MS);
            assertEquals(2, caller.handshakesStarted(), "the backoff doubled to 1 s");
            caller.doWork(1_500 * MS);
            assertEquals(3, caller.handshakesStarted());
        } finally {
            caller.close();
        }
    }

    @Test
    void shouldProbeAQuietPeerOnTheGivenClock() throws Exception {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        SecureTransport caller = secure(pair[0], SecureTransport.Role.INITIATOR);
        SecureTransport listener = secure(pair[1], SecureTransport.Role.RESPONDER);
        long t = 1_000_000 * MS; // anywhere: only differences count
        for (int i = 0; i < 20 && !(caller.isReady() && listener.isReady()); i++, t += MS) {
            pump(t, caller, listener);
        }
        assertTrue(caller.isReady() && listener.isReady());
        long heardAt = t - MS;
        caller.doWork(t);
        assertEquals(4, caller.send(new byte[] {1, 2, 3, 4}, 0, 4), "sent at t: the listener stays silent");
        caller.doWork(heardAt + 1_499 * MS);
        assertEquals(1, caller.handshakesStarted(), "no probe before 1.5 s of silence");
        caller.doWork(heardAt + 1_500 * MS);
        assertEquals(2, caller.handshakesStarted(), "the probe at 1.5 s of silence");
        assertTrue(caller.isReady(), "the old session stays usable while the probe is out");
    }
}
