package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.transport.udp.UdpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Restarts and roaming over UDP, with both sides paced like sessions: a payload every 320 ms (an
 * audio batch) from each side that can send.
 */
@Timeout(90)
class LivenessTest {
    private static final long BATCH_NS = 320_000_000L;
    private final Identity callerId = Identity.generate();
    private final Identity listenerId = Identity.generate();

    /** Drives endpoints like network threads: polls them and sends a payload every 320 ms when ready. */
    private static final class Call {
        final List<Endpoint> talkers = new ArrayList<>();
        final List<Endpoint> quiet = new ArrayList<>();
        final List<UdpRelay> relays = new ArrayList<>();
        private long nextBatchNs = System.nanoTime();
        private int sequence;

        void pumpUntil(BooleanSupplier condition, long timeoutMs, String what) {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (!condition.getAsBoolean()) {
                assertTrue(System.nanoTime() < deadline, "timed out after " + timeoutMs + " ms waiting for " + what);
                step();
            }
        }

        void pumpFor(long ms) {
            long until = System.nanoTime() + ms * 1_000_000L;
            while (System.nanoTime() < until) {
                step();
            }
        }

        private void step() {
            long now = System.nanoTime();
            boolean batch = now - nextBatchNs >= 0;
            if (batch) {
                nextBatchNs = now + BATCH_NS;
                sequence++;
            }
            for (UdpRelay relay : relays) {
                relay.poll();
            }
            for (Endpoint e : talkers) {
                e.poll();
                if (batch && e.isReady()) {
                    e.send(new byte[] {0x11, (byte) sequence, 0, 0, 0, 0, 0, 0, 0, 0});
                }
            }
            for (Endpoint e : quiet) {
                e.poll();
            }
            Thread.onSpinWait();
        }
    }

    private Endpoint listenerOn(int port) throws Exception {
        UdpTransport udp = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        return Endpoint.open("listener", SecureTransport.wrap(udp).identity(listenerId), udp);
    }

    @Test
    void shouldResumeTheCallByItselfWhenTheListenerRestartsQuickly() throws Exception {
        long resumedMs = restartListener(300, 0);
        assertTrue(resumedMs <= 3_000, "resumed after " + resumedMs + " ms");
    }

    @Test
    void shouldShowReconnectingAndResumeWithin3sWhenTheListenerIsDownForSeconds() throws Exception {
        long resumedMs = restartListener(2_500, 1);
        assertTrue(resumedMs <= 3_000, "resumed after " + resumedMs + " ms");
    }

    /** Kills the listener, brings it back after {@code downMs}; returns how long the call took to resume. */
    private long restartListener(long downMs, int expectedNotReady) throws Exception {
        Endpoint first = listenerOn(0);
        int port = ((UdpTransport) first.inner).localPort();
        Endpoint caller = Endpoint.open("caller", SecureTransport.wrap(Endpoint.udpCaller(port)).identity(callerId));
        Call call = new Call();
        call.talkers.add(caller);
        call.talkers.add(first);
        call.pumpUntil(() -> caller.received.size() >= 3 && first.received.size() >= 3, 10_000, "a call");

        first.close(); // the listening process dies...
        call.talkers.remove(first);
        call.pumpFor(downMs);
        Endpoint second = listenerOn(port); // ...and comes back on the same port with the same identity
        long restartedNs = System.nanoTime();
        call.talkers.add(second);
        int before = caller.received.size();
        call.pumpUntil(() -> caller.received.size() > before && !second.received.isEmpty(), 10_000,
                "audio both ways with the new listener");
        long resumedMs = (System.nanoTime() - restartedNs) / 1_000_000L;
        System.out.printf("liveness: listener down %d ms; call resumed %d ms after it restarted (%d not-ready events)%n",
                downMs, resumedMs, caller.notReadyEvents);
        assertEquals(expectedNotReady, caller.notReadyEvents, "RECONNECTING only while the peer did not answer");
        assertEquals(1 + expectedNotReady, caller.readyEvents);
        assertEquals(2, caller.transport.handshakesCompleted());
        assertEquals(caller.lastCode(), second.lastCode(), "both sides show the new handshake's code");
        caller.close();
        second.close();
        return resumedMs;
    }

    @Test
    void shouldAcceptTheSameCallerRestartingFromANewPort() throws Exception {
        Endpoint listener = listenerOn(0);
        int port = ((UdpTransport) listener.inner).localPort();
        Endpoint first = Endpoint.open("caller", SecureTransport.wrap(Endpoint.udpCaller(port)).identity(callerId));
        Call call = new Call();
        call.talkers.add(first);
        call.talkers.add(listener);
        call.pumpUntil(() -> listener.received.size() >= 2 && first.received.size() >= 2, 10_000, "a call");
        first.close();
        call.talkers.remove(first);
        call.pumpFor(200);

        Endpoint second = Endpoint.open("caller again", SecureTransport.wrap(Endpoint.udpCaller(port)).identity(callerId));
        call.talkers.add(second);
        int before = listener.received.size();
        call.pumpUntil(() -> !second.received.isEmpty() && listener.received.size() > before + 1, 10_000,
                "audio both ways with the restarted caller");
        assertEquals(2, listener.transport.handshakesCompleted());
        assertEquals(1, listener.peerMoves.size(), "the listener follows the caller to its new port");
        assertEquals(second.lastCode(), listener.lastCode());
        second.close();
        listener.close();
    }

    @Test
    void shouldRefuseAnotherKeyDuringTheCallAndKeepTheCall() throws Exception {
        Endpoint listener = listenerOn(0);
        int port = ((UdpTransport) listener.inner).localPort();
        Endpoint caller = Endpoint.open("caller", SecureTransport.wrap(Endpoint.udpCaller(port)).identity(callerId));
        Call call = new Call();
        call.talkers.add(caller);
        call.talkers.add(listener);
        call.pumpUntil(() -> listener.received.size() >= 2, 10_000, "a call");
        Endpoint intruder = Endpoint.open("intruder", SecureTransport.wrap(Endpoint.udpCaller(port))
                .identity(Identity.generate()));
        call.quiet.add(intruder);
        call.pumpUntil(() -> intruder.failure != null, 10_000, "the intruder to be refused");
        assertTrue(listener.warnings.stream().anyMatch(w -> w.contains("another key")), listener.warnings.toString());
        int before = caller.received.size();
        call.pumpUntil(() -> caller.received.size() > before + 1, 5_000, "the call to go on");
        assertEquals(1, listener.transport.handshakesCompleted());
        assertEquals(0, caller.notReadyEvents);
        caller.close();
        listener.close();
        intruder.close();
    }

    @Test
    void shouldProbeAQuietPeerWithoutInterruptingTheCall() throws Exception {
        Endpoint listener = listenerOn(0);
        int port = ((UdpTransport) listener.inner).localPort();
        Endpoint caller = Endpoint.open("caller", SecureTransport.wrap(Endpoint.udpCaller(port)).identity(callerId));
        Call call = new Call();
        call.talkers.add(caller);
        call.quiet.add(listener); // its input ended: it sends nothing, as a session with nothing to say between keepalives
        call.pumpUntil(() -> listener.received.size() >= 2, 10_000, "a call");
        call.pumpFor(7_000);
        long handshakes = caller.transport.handshakesCompleted();
        System.out.printf("liveness: %d handshakes in 7 s towards a quiet peer (probes back off)%n", handshakes - 1);
        assertTrue(handshakes >= 2 && handshakes <= 4, "probes back off: " + handshakes);
        assertEquals(0, caller.notReadyEvents, "an answered probe is not a reconnection");
        assertTrue(caller.isReady());
        caller.close();
        listener.close();
    }

    @Test
    void shouldFollowTheCallerWhenItsSourcePortChangesMidCall() throws Exception {
        Endpoint listener = listenerOn(0);
        int port = ((UdpTransport) listener.inner).localPort();
        try (UdpRelay nat = new UdpRelay(port)) {
            Endpoint caller = Endpoint.open("caller", SecureTransport.wrap(Endpoint.udpCaller(nat.port()))
                    .identity(callerId));
            Call call = new Call();
            call.relays.add(nat);
            call.talkers.add(caller);
            call.talkers.add(listener);
            call.pumpUntil(() -> listener.received.size() >= 3 && caller.received.size() >= 3, 10_000, "a call");
            int oldPort = nat.backPort();
            nat.rebind();
            assertTrue(nat.backPort() != oldPort);
            int heard = caller.received.size();
            int said = listener.received.size();
            call.pumpUntil(() -> caller.received.size() >= heard + 3 && listener.received.size() >= said + 3, 10_000,
                    "audio both ways after the port change");
            assertEquals(List.of("127.0.0.1:" + nat.backPort()), listener.peerMoves);
            assertEquals(1, listener.transport.handshakesCompleted(), "no new handshake was needed");
            assertEquals(0, caller.notReadyEvents);
            caller.close();
        }
        listener.close();
    }
}
