package dev.viz.transport.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.direct.internal.PathMessage;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two secure ends over real UDP on loopback, the "relay" being a plain UDP transport between them,
 * each with a {@link DirectPathTransport} under its secure layer: the call moves to the direct
 * sockets, falls back when the direct path dies and comes back when it answers again; forged path
 * messages move nothing.
 */
@Timeout(60)
class DirectPathTransportTest {
    private static final byte[] PAYLOAD = new byte[200];

    private Side listener;
    private Side caller;
    private Forwarder forwarder;

    /** One end: secure layer over the direct-path decorator over plain UDP, driven by the test thread. */
    static final class Side implements Transport.Events {
        final DirectPathTransport direct;
        final SecureTransport secure;
        final List<String> moves = new CopyOnWriteArrayList<>();
        final byte[] buffer = new byte[2048];
        long received;

        Side(DirectPathTransport.Builder configure) throws IOException {
            this.direct = configure.build();
            this.secure = SecureTransport.wrap(direct).identity(Identity.generate()).build();
            secure.open(this);
        }

        void poll() {
            secure.doWork(System.nanoTime());
            while (secure.receive(buffer, 0, buffer.length) > 0) {
                received++;
            }
        }

        @Override
        public void onPeerMoved(String peer) {
            moves.add(peer);
        }
    }

    /** A UDP forwarder standing for a port forward on the listener's side: it can be cut and restored. */
    static final class Forwarder implements AutoCloseable {
        final DatagramChannel front;
        final DatagramChannel back;
        final InetSocketAddress target;
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        SocketAddress client;
        volatile boolean cut;

        Forwarder(InetSocketAddress target) throws IOException {
            this.target = target;
            InetAddress loopback = InetAddress.getLoopbackAddress();
            front = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
            back = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
            front.configureBlocking(false);
            back.configureBlocking(false);
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) front.getLocalAddress();
        }

        void poll() throws IOException {
            SocketAddress from;
            while (true) {
                buffer.clear();
                if ((from = front.receive(buffer)) == null) {
                    break;
                }
                client = from;
                if (!cut) {
                    buffer.flip();
                    back.send(buffer, target);
                }
            }
            while (true) {
                buffer.clear();
                if (back.receive(buffer) == null) {
                    break;
                }
                if (!cut && client != null) {
                    buffer.flip();
                    front.send(buffer, client);
                }
            }
        }

        @Override
        public void close() throws IOException {
            front.close();
            back.close();
        }
    }

    @AfterEach
    void close() throws IOException {
        if (caller != null) {
            caller.secure.close();
        }
        if (listener != null) {
            listener.secure.close();
        }
        if (forwarder != null) {
            forwarder.close();
        }
    }

    /** The "relay" the call starts on: plain UDP on loopback, the listener's end. */
    private static UdpTransport relayListener() {
        return UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
    }

    /** Opens the listener over {@code relay}, then the caller over a UDP transport to the listener's port. */
    private void start(UdpTransport relay, DirectPathTransport.Builder listenerSide,
            java.util.function.Function<UdpTransport, DirectPathTransport.Builder> callerSide) throws IOException {
        listener = new Side(listenerSide);
        caller = new Side(callerSide.apply(UdpTransport.connect("127.0.0.1", relay.localPort())));
    }

    /** Polls both sides (and the forwarder), sending a payload each way every 20 ms, until {@code done}. */
    private void callUntil(BooleanSupplier done, long timeoutMs, String what) throws IOException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        long nextSendNs = 0;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out after " + timeoutMs + " ms waiting for " + what
                    + "; caller " + caller.direct.path() + " " + caller.moves + ", listener " + listener.direct.path()
                    + " " + listener.moves);
            long now = System.nanoTime();
            if (now - nextSendNs >= 0) {
                nextSendNs = now + 20_000_000L;
                caller.secure.send(PAYLOAD, 0, PAYLOAD.length);
                listener.secure.send(PAYLOAD, 0, PAYLOAD.length);
            }
            caller.poll();
            listener.poll();
            if (forwarder != null) {
                forwarder.poll();
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void callFor(long ms) throws IOException {
        long until = System.nanoTime() + ms * 1_000_000L;
        callUntil(() -> System.nanoTime() - until >= 0, ms + 10_000, ms + " ms of call");
    }

    @Test
    void shouldMoveTheCallToTheDirectPathAndStopUsingTheRelay() throws IOException {
        UdpTransport relay = relayListener();
        start(relay, DirectPathTransport.over(relay).innerPath("relay"),
                udp -> DirectPathTransport.over(udp).innerPath("relay"));
        long startNs = System.nanoTime();
        callUntil(() -> caller.secure.isReady() && listener.secure.isReady(), 10_000, "the call secured");
        long securedNs = System.nanoTime();
        callUntil(() -> DirectPathTransport.DIRECT.equals(caller.direct.path())
                && DirectPathTransport.DIRECT.equals(listener.direct.path()), 5_000, "both sides on the direct path");
        long directNs = System.nanoTime();
        long relaySentBefore = caller.direct.innerDataSent() + listener.direct.innerDataSent();
        long receivedBefore = caller.received + listener.received;
        callFor(2_000);
        long relaySent = caller.direct.innerDataSent() + listener.direct.innerDataSent() - relaySentBefore;
        long received = caller.received + listener.received - receivedBefore;
        System.out.printf("direct path on loopback: secured %.0f ms, direct %.0f ms later; then in 2 s %d payloads"
                + " received, %d data datagrams on the relay; caller %s, listener %s, round trip %d us%n",
                (securedNs - startNs) / 1e6, (directNs - securedNs) / 1e6, received, relaySent, caller.moves,
                listener.moves, caller.direct.directRttUs());
        assertEquals(0, relaySent, "no data on the relay once direct");
        assertTrue(received >= 150, "the call goes on over the direct path: " + received);
        assertTrue(caller.secure.peer().endsWith("(direct)"), caller.secure.peer());
        assertTrue(caller.moves.get(caller.moves.size() - 1).endsWith("(direct)"), caller.moves.toString());
        assertEquals(0, caller.direct.pathMessagesRejected() + listener.direct.pathMessagesRejected());
    }

    @Test
    void shouldFallBackToTheRelayWhenTheDirectPathDiesAndComeBackWhenItAnswers() throws IOException {
        UdpTransport relay = relayListener();
        // The listener offers only a forwarded port (the forwarder) so that the test can cut the caller's direct path.
        DirectPathTransport.Builder listenerSide = DirectPathTransport.over(relay).innerPath("relay").hostCandidates(false);
        DirectPathTransport probeOnly = listenerSide.build(); // building leaves the builder as it was
        assertEquals("relay", probeOnly.path());
        // Bind the listener's direct socket to a known port so the forwarder can point at it.
        DatagramChannel reserve = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress listenerDirect = (InetSocketAddress) reserve.getLocalAddress();
        reserve.close();
        forwarder = new Forwarder(listenerDirect);
        listenerSide.bind(listenerDirect).candidate(forwarder.address());
        start(relay, listenerSide, udp -> DirectPathTransport.over(udp).innerPath("relay").hostCandidates(false));
        callUntil(() -> DirectPathTransport.DIRECT.equals(caller.direct.path()), 10_000, "the caller on the direct path");
        assertTrue(caller.secure.peer().startsWith("127.0.0.1:" + forwarder.address().getPort()), caller.secure.peer());

        forwarder.cut = true;
        long cutNs = System.nanoTime();
        callUntil(() -> "relay".equals(caller.direct.path()), 10_000, "the caller back on the relay");
        long backNs = System.nanoTime();
        long relaySentBefore = caller.direct.innerDataSent();
        long listenerReceivedBefore = listener.received;
        callFor(1_000);
        long relaySent = caller.direct.innerDataSent() - relaySentBefore;
        long listenerReceived = listener.received - listenerReceivedBefore;
        assertTrue(relaySent >= 40, "the caller's data goes over the relay again: " + relaySent);
        assertTrue(listenerReceived >= 40, "and reaches the listener: " + listenerReceived);
        assertTrue(caller.secure.peer().endsWith("(relay)"), caller.secure.peer());

        forwarder.cut = false;
        long restoredNs = System.nanoTime();
        callUntil(() -> DirectPathTransport.DIRECT.equals(caller.direct.path()), 10_000, "the caller direct again");
        System.out.printf("direct path cut: back on the relay after %.0f ms; restored: direct again after %.0f ms;"
                + " caller's moves %s%n", (backNs - cutNs) / 1e6, (System.nanoTime() - restoredNs) / 1e6, caller.moves);
        assertTrue(backNs - cutNs <= 5_000_000_000L, "fell back within 5 s");
        assertEquals(3, caller.direct.pathChanges());
    }

    @Test
    void shouldDropForgedPathMessagesAndStayOnTheRelay() throws Exception {
        UdpTransport relay = relayListener();
        // No candidates on either side: nothing can move the call but a forgery.
        start(relay, DirectPathTransport.over(relay).innerPath("relay").hostCandidates(false),
                udp -> DirectPathTransport.over(udp).innerPath("relay").hostCandidates(false));
        callUntil(() -> caller.secure.isReady() && listener.secure.isReady(), 10_000, "the call secured");
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                caller.direct.localAddress().getPort());
        byte[] wrongKey = new byte[32];
        byte[] forged = new byte[PathMessage.MAX_BYTES];
        byte[] body = new byte[8 + 7];
        PathMessage.putAddress(body, 8, target);
        try (DatagramChannel attacker = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (long c = 0; c < 20; c++) {
                // answers to probes the caller never sent, candidates and garbage, under a key the attacker made up
                int n = PathMessage.seal(wrongKey, PathMessage.KIND_ANSWER, false, c, body, body.length, forged);
                attacker.send(ByteBuffer.wrap(forged, 0, n), target);
                n = PathMessage.seal(wrongKey, PathMessage.KIND_CANDIDATES, false, c, new byte[] {0, 0}, 2, forged);
                attacker.send(ByteBuffer.wrap(forged, 0, n), target);
                attacker.send(ByteBuffer.wrap(new byte[] {PathMessage.TYPE, 3, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9,
                    9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}), target);
            }
            callFor(1_000);
        }
        System.out.printf("forged path messages: %d dropped by the caller, path %s%n",
                caller.direct.pathMessagesRejected(), caller.direct.path());
        assertEquals(60, caller.direct.pathMessagesRejected());
        assertEquals("relay", caller.direct.path());
        assertEquals(0, caller.direct.pathChanges());
        assertTrue(caller.secure.rejectedCount(Transport.Rejection.UNAUTHENTICATED) >= 60,
                "counted by the secure layer's stats too");
    }

    @Test
    void shouldDropAFloodOfPathMessagesBeforeOpeningThemAndStillGoDirect() throws Exception {
        UdpTransport relay = relayListener();
        start(relay, DirectPathTransport.over(relay).innerPath("relay"),
                udp -> DirectPathTransport.over(udp).innerPath("relay"));
        callUntil(() -> caller.secure.isReady() && listener.secure.isReady(), 10_000, "the call secured");
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                caller.direct.localAddress().getPort());
        byte[] forged = new byte[PathMessage.MAX_BYTES];
        int n = PathMessage.seal(new byte[32], PathMessage.KIND_PROBE, false, 1, new byte[0], 0, forged);
        int sent = 0;
        try (DatagramChannel attacker = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int burst = 0; burst < 50; burst++) {
                for (int i = 0; i < 100; i++) {
                    attacker.send(ByteBuffer.wrap(forged, 0, n), target);
                    sent++;
                }
                for (int k = 0; k < 10; k++) {
                    caller.poll(); // in chunks, so that the socket's buffer does not drop them first
                }
            }
        }
        callUntil(() -> DirectPathTransport.DIRECT.equals(caller.direct.path())
                && DirectPathTransport.DIRECT.equals(listener.direct.path()), 5_000, "both sides direct all the same");
        long limited = caller.secure.rejectedCount(Transport.Rejection.RATE_LIMITED);
        long opened = caller.secure.rejectedCount(Transport.Rejection.UNAUTHENTICATED);
        System.out.printf("path message flood: %d sent, %d dropped before opening, %d opened and refused%n", sent,
                limited, opened);
        assertTrue(limited >= sent * 8 / 10, "most of the flood never reached the AEAD: " + limited + " of " + sent);
        assertTrue(opened <= 500, "at most about a second's worth opened: " + opened);
    }
}
