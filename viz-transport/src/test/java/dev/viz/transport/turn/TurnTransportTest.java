package dev.viz.transport.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Transport;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.turn.internal.ChannelData;
import dev.viz.transport.turn.internal.StunMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TURN client against a real coturn on loopback: credentials, failures, overhead, forgeries. */
@Timeout(30)
class TurnTransportTest {
    static Coturn coturn;

    @BeforeAll
    static void startRelay() throws Exception {
        String why = Coturn.unavailable();
        if (why != null) {
            System.out.println("SKIPPED: " + why);
        }
        assumeTrue(why == null, why);
        coturn = Coturn.longTerm(Files.createTempDirectory("vzt-coturn"));
    }

    @AfterAll
    static void stopRelay() {
        if (coturn != null) {
            coturn.close();
        }
    }

    @Test
    void shouldRefuseWrongCredentialsWithAClearMessage() {
        TurnTransport t = TurnTransport.listen(coturn.udp().withCredentials(Coturn.USER, "wrong"));
        IOException e = assertThrows(IOException.class, t::allocate);
        System.out.println("wrong credentials: " + e.getMessage());
        assertTrue(e.getMessage().contains("refused the credentials"), e.getMessage());
        assertTrue(!e.getMessage().contains("wrong"), "the password is not shown: " + e.getMessage());
        t.close();
    }

    @Test
    void shouldSayWhenTheRelayDoesNotAnswer() throws Exception {
        int silent = Coturn.freePort();
        TurnTransport t = TurnTransport.builder(TurnServer.parse("turn:u:p@127.0.0.1:" + silent))
                .timeout(Duration.ofMillis(800)).build();
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, t::allocate);
        System.out.println("unreachable relay: " + e.getMessage());
        assertTrue(e.getMessage().contains("no answer from the relay"), e.getMessage());
        assertTrue(System.nanoTime() - start < 3_000_000_000L, "gave up within the timeout");
        t.close();
        TurnTransport tcp = TurnTransport.builder(TurnServer.parse("turn:u:p@127.0.0.1:" + silent + "?transport=tcp"))
                .timeout(Duration.ofMillis(800)).build();
        IOException refused = assertThrows(IOException.class, tcp::allocate);
        assertTrue(refused.getMessage().contains("cannot reach the relay"), refused.getMessage());
        tcp.close();
    }

    @Test
    void shouldAllocateWithTimeLimitedCredentialsAndRefuseExpiredOnes() throws Exception {
        try (Coturn secretRelay = Coturn.timeLimited(Files.createTempDirectory("vzt-coturn-secret"))) {
            TurnServer base = TurnServer.parse("turn:127.0.0.1:" + secretRelay.port);
            long now = System.currentTimeMillis() / 1000;
            TurnServer fresh = base.withTimeLimitedCredentials(Coturn.SECRET, "bob", Duration.ofHours(1), now);
            assertEquals(now + 3600, fresh.credentialsExpiryEpochS());
            TurnTransport ok = TurnTransport.listen(fresh);
            ok.allocate();
            assertNotNull(ok.relayedAddress());
            ok.close();

            TurnServer expired = base.withTimeLimitedCredentials(Coturn.SECRET, "bob", Duration.ofHours(1), now - 7200);
            TurnTransport old = TurnTransport.listen(expired);
            IOException e = assertThrows(IOException.class, old::allocate);
            System.out.println("expired credentials: " + e.getMessage());
            assertTrue(e.getMessage().contains("expired"), e.getMessage());
            old.close();

            TurnTransport wrongSecret = TurnTransport.listen(base.withTimeLimitedCredentials("not the secret", "bob",
                    Duration.ofHours(1), now));
            assertThrows(IOException.class, wrongSecret::allocate);
            wrongSecret.close();
        }
    }

    /** Drives two secure transports as two sessions' network threads would. */
    static void pumpUntil(Transport a, Transport b, java.util.function.BooleanSupplier done, String what) {
        byte[] buffer = new byte[65_536];
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            long now = System.nanoTime();
            a.doWork(now);
            b.doWork(now);
            a.receive(buffer, 0, buffer.length);
            b.receive(buffer, 0, buffer.length);
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldCarryASecureCallAsChannelDataWithFourBytesOfOverhead() throws Exception {
        TurnTransport listenerTurn = TurnTransport.listen(coturn.udp());
        listenerTurn.allocate();
        TurnTransport callerTurn = TurnTransport.connect(coturn.udp(), listenerTurn.relayedAddress());
        Identity listenerId = Identity.generate();
        SecureTransport listener = SecureTransport.wrap(listenerTurn).identity(listenerId).build();
        SecureTransport caller = SecureTransport.wrap(callerTurn).identity(Identity.generate())
                .peerKey(listenerId.fingerprint()).build();
        long start = System.nanoTime();
        listener.open(new Transport.Events() { });
        caller.open(new Transport.Events() { });
        pumpUntil(caller, listener, () -> caller.isReady() && listener.isReady(), "handshake through the relay");
        System.out.printf("secured through coturn in %.1f ms (allocations, channel, Noise XX)%n",
                (System.nanoTime() - start) / 1e6);
        pumpUntil(caller, listener, () -> listenerTurn.channelBound(), "the listener binds its channel back");

        byte[] payload = new byte[200];
        new Random(7).nextBytes(payload);
        byte[] got = new byte[65_536];
        long sentBefore = callerTurn.wireBytesSent();
        long receivedBefore = listenerTurn.wireBytesReceived();
        int count = 100;
        for (int i = 0; i < count; i++) {
            assertEquals(payload.length, caller.send(payload, 0, payload.length));
            int n = 0;
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (n == 0) {
                assertTrue(System.nanoTime() < deadline, "datagram " + i);
                n = listener.receive(got, 0, got.length);
            }
            assertArrayEquals(payload, Arrays.copyOf(got, n));
        }
        long perDatagramOut = (callerTurn.wireBytesSent() - sentBefore) / count;
        long perDatagramIn = (listenerTurn.wireBytesReceived() - receivedBefore) / count;
        System.out.println("per 200-byte payload: secure layer " + SecureTransport.OVERHEAD_BYTES + " B, relay "
                + (perDatagramOut - payload.length - SecureTransport.OVERHEAD_BYTES) + " B; on the wire "
                + perDatagramOut + " B to the relay, " + perDatagramIn + " B from it");
        assertEquals(payload.length + SecureTransport.OVERHEAD_BYTES + TurnTransport.CHANNEL_DATA_OVERHEAD_BYTES,
                perDatagramOut, "ChannelData: 4 bytes, not a Send indication");
        assertEquals(perDatagramOut, perDatagramIn, "ChannelData on the listener's side too");
        caller.close();
        listener.close();
    }

    @Test
    void shouldDropForgedChannelDataAndStunMessagesAndCountThem() throws Exception {
        try (Forwarder mitm = new Forwarder(coturn.port)) {
            TurnTransport listenerTurn = TurnTransport.listen(coturn.udp());
            listenerTurn.allocate();
            TurnServer viaMitm = TurnServer.parse("turn:127.0.0.1:" + mitm.port()).withCredentials(Coturn.USER,
                    Coturn.PASSWORD);
            TurnTransport callerTurn = TurnTransport.connect(viaMitm, listenerTurn.relayedAddress());
            AtomicInteger rejected = new AtomicInteger();
            Thread pump = new Thread(mitm::run, "vzt-mitm");
            pump.setDaemon(true);
            pump.start();
            listenerTurn.open(new Transport.Events() { });
            callerTurn.open(new Transport.Events() {
                @Override
                public void onRejected(Transport.Rejection why) {
                    rejected.incrementAndGet();
                }
            });
            byte[] hello = {1, 2, 3};
            byte[] buffer = new byte[65_536];
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!listenerTurn.isReady()) {
                assertTrue(System.nanoTime() < deadline, "listener never heard the caller");
                callerTurn.doWork(System.nanoTime());
                listenerTurn.doWork(System.nanoTime());
                callerTurn.send(hello, 0, 3);
                if (listenerTurn.receive(buffer, 0, buffer.length) > 0) {
                    listenerTurn.acceptPeer();
                }
                Thread.sleep(5);
            }
            // Forgeries "from the relay": ChannelData on a channel never bound, ChannelData that lies about its
            // length, garbage, a success response to no request, a Data indication from a stranger.
            byte[] forged = new byte[64];
            ChannelData.putHeader(forged, 0, 0x4FFE, 20, false);
            mitm.inject(forged, 24);
            ChannelData.putHeader(forged, 0, 0x4000, 60_000, false);
            mitm.inject(forged, 24);
            mitm.inject(new byte[] {(byte) 0xFF, 0, 0, 0, 1, 2, 3}, 7);
            int n = new StunMessage().begin(forged, 0, StunMessage.ALLOCATE, StunMessage.SUCCESS, new byte[12], 0).end();
            mitm.inject(forged, n);
            StunMessage.PeerAddress stranger = new StunMessage.PeerAddress();
            stranger.set(new InetSocketAddress(InetAddress.getByName("192.0.2.9"), 4000));
            n = new StunMessage().begin(forged, 0, StunMessage.DATA, StunMessage.INDICATION, new byte[12], 0)
                    .putXorAddress(StunMessage.XOR_PEER_ADDRESS, stranger).put(StunMessage.DATA_ATTRIBUTE, hello).end();
            mitm.inject(forged, n);
            long until = System.nanoTime() + 500_000_000L;
            int delivered = 0;
            while (System.nanoTime() < until) {
                delivered += callerTurn.receive(buffer, 0, buffer.length) > 0 ? 1 : 0;
                callerTurn.doWork(System.nanoTime());
            }
            assertEquals(0, delivered, "no forgery was delivered");
            assertEquals(5, callerTurn.droppedCount(), "each forgery dropped and counted");
            assertEquals(5, rejected.get());
            // And the call still works.
            listenerTurn.send(hello, 0, 3);
            deadline = System.nanoTime() + 2_000_000_000L;
            int got = 0;
            while (got == 0) {
                assertTrue(System.nanoTime() < deadline, "the call survived the forgeries");
                got = callerTurn.receive(buffer, 0, buffer.length);
                Thread.onSpinWait();
            }
            assertEquals(3, got);
            callerTurn.close();
            listenerTurn.close();
        }
    }

    @Test
    void shouldResumeByAllocatingAgainWhenTheCallersNatMappingChanges() throws Exception {
        try (Forwarder nat = new Forwarder(coturn.port)) {
            Thread pump = new Thread(nat::run, "vzt-nat");
            pump.setDaemon(true);
            pump.start();
            TurnTransport listenerTurn = TurnTransport.listen(coturn.udp());
            listenerTurn.allocate();
            TurnServer behindNat = TurnServer.parse("turn:127.0.0.1:" + nat.port()).withCredentials(Coturn.USER,
                    Coturn.PASSWORD);
            TurnTransport callerTurn = TurnTransport.connect(behindNat, listenerTurn.relayedAddress());
            java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
            listenerTurn.open(new Transport.Events() { });
            callerTurn.open(new Transport.Events() {
                @Override
                public void onWarning(String message) {
                    warnings.add(message);
                }
            });
            byte[] buffer = new byte[65_536];
            byte[] audio = new byte[100];
            // A call: both sides send every 20 ms, the listener accepts whoever reaches it (as the secure layer would).
            java.util.function.IntSupplier exchange = () -> {
                int got = 0;
                long end = System.nanoTime() + 20_000_000L;
                callerTurn.send(audio, 0, audio.length);
                listenerTurn.send(audio, 0, audio.length);
                while (System.nanoTime() < end) {
                    long now = System.nanoTime();
                    callerTurn.doWork(now);
                    listenerTurn.doWork(now);
                    if (listenerTurn.receive(buffer, 0, buffer.length) > 0) {
                        listenerTurn.acceptPeer();
                        got |= 1;
                    }
                    if (callerTurn.receive(buffer, 0, buffer.length) > 0) {
                        callerTurn.acceptPeer();
                        got |= 2;
                    }
                }
                return got;
            };
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (exchange.getAsInt() != 3) {
                assertTrue(System.nanoTime() < deadline, "the call starts");
            }
            nat.rebind();
            long rebindNs = System.nanoTime();
            long lastBoth = 0;
            deadline = rebindNs + 15_000_000_000L;
            int both = 0;
            while (both < 10) { // ten rounds with audio both ways again
                assertTrue(System.nanoTime() < deadline, "the call resumes after the NAT rebinding; warnings " + warnings);
                if (exchange.getAsInt() == 3) {
                    both++;
                    lastBoth = System.nanoTime();
                }
            }
            System.out.printf("NAT rebinding on the caller's side: audio both ways again %.1f s later; %s%n",
                    (lastBoth - rebindNs) / 1e9, warnings);
            assertEquals(1, callerTurn.reallocations());
            assertTrue(warnings.stream().anyMatch(w -> w.contains("resumed after a gap of")), warnings.toString());
            callerTurn.close();
            listenerTurn.close();
        }
    }

    @Test
    void shouldNoticeARelayRestartAllocateAgainAndSayWhatTheUserMustDo() throws Exception {
        try (Coturn relay = Coturn.longTerm(Files.createTempDirectory("vzt-coturn-restart"))) {
            TurnTransport listenerTurn = TurnTransport.listen(relay.udp());
            listenerTurn.allocate();
            TurnTransport callerTurn = TurnTransport.connect(relay.udp(), listenerTurn.relayedAddress());
            java.util.List<String> listenerSays = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.List<String> callerSays = new java.util.concurrent.CopyOnWriteArrayList<>();
            listenerTurn.open(new Transport.Events() {
                @Override
                public void onNotReady(String reason) {
                    listenerSays.add(reason);
                }

                @Override
                public void onWarning(String message) {
                    listenerSays.add(message);
                }
            });
            callerTurn.open(new Transport.Events() {
                @Override
                public void onNotReady(String reason) {
                    callerSays.add(reason);
                }
            });
            byte[] buffer = new byte[65_536];
            byte[] audio = new byte[100];
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!listenerTurn.isReady()) {
                assertTrue(System.nanoTime() < deadline, "the call starts");
                callerTurn.send(audio, 0, audio.length);
                callerTurn.doWork(System.nanoTime());
                listenerTurn.doWork(System.nanoTime());
                if (listenerTurn.receive(buffer, 0, buffer.length) > 0) {
                    listenerTurn.acceptPeer();
                }
                callerTurn.receive(buffer, 0, buffer.length);
                Thread.sleep(5);
            }
            java.net.InetSocketAddress before = listenerTurn.relayedAddress();
            relay.restart();
            deadline = System.nanoTime() + 15_000_000_000L;
            while (listenerTurn.reallocations() == 0 || callerTurn.reallocations() == 0
                    || listenerTurn.relayedAddress() == null || listenerTurn.relayedAddress().equals(before)) {
                assertTrue(System.nanoTime() < deadline, "both sides notice the restart: " + listenerSays + callerSays);
                callerTurn.send(audio, 0, audio.length);
                listenerTurn.send(audio, 0, audio.length);
                for (int i = 0; i < 4; i++) {
                    callerTurn.doWork(System.nanoTime());
                    listenerTurn.doWork(System.nanoTime());
                    callerTurn.receive(buffer, 0, buffer.length);
                    listenerTurn.receive(buffer, 0, buffer.length);
                    Thread.sleep(5);
                }
            }
            System.out.println("relay restart: listener " + listenerSays + "; caller " + callerSays);
            assertTrue(listenerSays.stream().anyMatch(m -> m.contains("allocating again")), listenerSays.toString());
            assertTrue(listenerSays.stream().anyMatch(m -> m.contains("new invite")), listenerSays.toString());
            assertTrue(callerSays.stream().anyMatch(m -> m.contains("allocating again")), callerSays.toString());
            callerTurn.close();
            listenerTurn.close();
        }
    }

    /** A UDP forwarder between a client and the relay that can also inject datagrams towards the client. */
    static final class Forwarder implements AutoCloseable {
        private final DatagramChannel front;
        private volatile DatagramChannel back;
        private final InetSocketAddress relay;
        private volatile SocketAddress client;
        private volatile boolean running = true;

        Forwarder(int relayPort) throws IOException {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            relay = new InetSocketAddress(loopback, relayPort);
            front = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
            back = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
            front.configureBlocking(false);
            back.configureBlocking(false);
        }

        int port() throws IOException {
            return ((InetSocketAddress) front.getLocalAddress()).getPort();
        }

        void run() {
            ByteBuffer b = ByteBuffer.allocate(65_536);
            while (running) {
                try {
                    b.clear();
                    SocketAddress from = front.receive(b);
                    if (from != null) {
                        client = from;
                        b.flip();
                        back.send(b, relay);
                    }
                    b.clear();
                    if (back.receive(b) != null && client != null) {
                        b.flip();
                        front.send(b, client);
                    }
                    Thread.onSpinWait();
                } catch (java.nio.channels.ClosedChannelException rebound) {
                    // rebind() swapped the back socket
                } catch (IOException e) {
                    return;
                }
            }
        }

        /** A NAT rebinding: from now on the relay sees this client from another port. */
        void rebind() throws IOException {
            DatagramChannel next = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            next.configureBlocking(false);
            DatagramChannel old = back;
            back = next;
            old.close();
        }

        void inject(byte[] datagram, int length) throws IOException {
            front.send(ByteBuffer.wrap(datagram, 0, length), client);
        }

        @Override
        public void close() throws IOException {
            running = false;
            front.close();
            back.close();
        }
    }
}
