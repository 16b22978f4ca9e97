package dev.viz.transport.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A caller whose listener does not answer says so instead of hanging: over real loopback sockets,
 * with the time passed to {@code doWork} (no test waits for the 10 s and 30 s it checks).
 */
@Timeout(30)
class UnreachableListenerTest {
    private static final long S = 1_000_000_000L;

    /** Every event, as the session would see it. */
    private static final class Recorder implements Transport.Events {
        final List<String> warnings = new CopyOnWriteArrayList<>();
        volatile String failure;
        volatile int failures;

        @Override
        public void onWarning(String message) {
            warnings.add(message);
        }

        @Override
        public void onFailed(String reason) {
            failure = reason;
            failures++;
        }
    }

    /** A loopback port where nothing listens (bound, then released). */
    private static int closedPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int warningsContaining(Recorder r, String text) {
        return (int) r.warnings.stream().filter(w -> w.contains(text)).count();
    }

    @Test
    void shouldReportPortUnreachableOnceWhenNothingListens() throws Exception {
        int port = closedPort();
        Recorder events = new Recorder();
        UdpTransport caller = UdpTransport.connect("127.0.0.1", port);
        try {
            caller.open(events);
            byte[] buffer = new byte[2048];
            long deadline = System.nanoTime() + 5 * S;
            for (int sent = 0; sent < 5 && System.nanoTime() < deadline; ) {
                if (caller.send(new byte[] {1, 2, 3}, 0, 3) == 3) {
                    sent++;
                }
                Thread.sleep(20);
                assertEquals(0, caller.receive(buffer, 0, buffer.length));
            }
            assertTrue(caller.portUnreachableCount() >= 2, "ICMP errors seen: " + caller.portUnreachableCount());
            assertEquals(1, warningsContaining(events, "port unreachable: nothing listens on UDP 127.0.0.1:" + port),
                    "said once: " + events.warnings);
        } finally {
            caller.close();
        }
    }

    @Test
    void shouldWarnAfterTenSecondsAndGiveUpAtTheConnectTimeout() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = silent.getLocalPort();
            Recorder events = new Recorder();
            UdpTransport caller = UdpTransport.connect("127.0.0.1", port).withConnectTimeout(Duration.ofSeconds(30));
            try {
                caller.open(events);
                assertEquals(3, caller.send(new byte[] {1, 2, 3}, 0, 3));
                long t0 = 1_000 * S;
                caller.doWork(t0);
                caller.doWork(t0 + 9_999_000_000L);
                assertTrue(events.warnings.isEmpty(), events.warnings.toString());
                caller.doWork(t0 + 10 * S);
                assertEquals(List.of("no answer from 127.0.0.1:" + port + " after 10 s: is the listener running and is"
                        + " UDP " + port + " forwarded?"), events.warnings);
                caller.doWork(t0 + 29 * S);
                assertNull(events.failure);
                assertTrue(caller.isReady());
                caller.doWork(t0 + 30 * S);
                assertEquals("no answer from 127.0.0.1:" + port + " after 30 s: is the listener running and is UDP "
                        + port + " forwarded? Giving up.", events.failure);
                caller.doWork(t0 + 60 * S);
                assertEquals(1, events.failures, "gives up once");
                assertEquals(1, events.warnings.size(), "warns once");
                assertFalse(caller.isReady());
                assertEquals(Transport.NOT_READY, caller.send(new byte[] {1}, 0, 1), "sends nothing more");
            } finally {
                caller.close();
            }
        }
    }

    @Test
    void shouldNameThePortUnreachableWhenItGivesUp() throws Exception {
        int port = closedPort();
        Recorder events = new Recorder();
        UdpTransport caller = UdpTransport.connect("127.0.0.1", port).withConnectTimeout(Duration.ofSeconds(2));
        try {
            caller.open(events);
            byte[] buffer = new byte[2048];
            long t0 = 5 * S;
            caller.doWork(t0);
            long deadline = System.nanoTime() + 5 * S;
            while (caller.portUnreachableCount() == 0 && System.nanoTime() < deadline) {
                caller.send(new byte[] {1}, 0, 1);
                Thread.sleep(20);
                caller.receive(buffer, 0, buffer.length);
            }
            caller.doWork(t0 + 2 * S);
            assertEquals("no answer from 127.0.0.1:" + port + " after 2 s: port unreachable: nothing listens on UDP"
                    + " 127.0.0.1:" + port + "; giving up", events.failure);
        } finally {
            caller.close();
        }
    }

    @Test
    void shouldStopWaitingOnceThePeerAnswers() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            UdpTransport caller = UdpTransport.connect("127.0.0.1", peer.getLocalPort());
            try {
                caller.open(events);
                long t0 = 7 * S;
                caller.doWork(t0);
                caller.send(new byte[] {1, 2, 3}, 0, 3);
                DatagramPacket hello = new DatagramPacket(new byte[64], 64);
                peer.receive(hello);
                peer.send(new DatagramPacket(new byte[] {9}, 1, hello.getSocketAddress()));
                byte[] buffer = new byte[2048];
                long deadline = System.nanoTime() + 5 * S;
                while (caller.receive(buffer, 0, buffer.length) == 0) {
                    assertTrue(System.nanoTime() < deadline, "the answer arrives");
                    Thread.sleep(1);
                }
                caller.doWork(t0 + 120 * S);
                assertTrue(events.warnings.isEmpty(), events.warnings.toString());
                assertNull(events.failure);
                assertTrue(caller.isReady());
            } finally {
                caller.close();
            }
        }
    }

    @Test
    void shouldWaitForEverWithAZeroTimeout() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            UdpTransport caller = UdpTransport.connect("127.0.0.1", silent.getLocalPort()).withConnectTimeout(Duration.ZERO);
            try {
                caller.open(events);
                caller.doWork(0);
                caller.doWork(3_600 * S);
                assertNull(events.failure);
                assertEquals(1, events.warnings.size(), "the 10 s hint still comes: " + events.warnings);
                assertEquals(Duration.ZERO, caller.connectTimeout());
            } finally {
                caller.close();
            }
        }
    }

    @Test
    void shouldPassTheDiagnosisThroughTheSecureLayer() throws Exception {
        int port = closedPort();
        Recorder events = new Recorder();
        SecureTransport caller = SecureTransport.wrap(UdpTransport.connect("127.0.0.1", port)
                .withConnectTimeout(Duration.ofSeconds(30))).identity(Identity.generate()).build();
        try {
            caller.open(events);
            byte[] buffer = new byte[2048];
            long t0 = 11 * S;
            long deadline = System.nanoTime() + 5 * S;
            // The handshake's INITs draw the ICMP errors; the simulated time runs 100 ms per real 10 ms.
            long t = t0;
            while (warningsContaining(events, "port unreachable") == 0) {
                assertTrue(System.nanoTime() < deadline, "port unreachable reported: " + events.warnings);
                caller.doWork(t);
                caller.receive(buffer, 0, buffer.length);
                Thread.sleep(10);
                t += 100_000_000L;
            }
            for (; t <= t0 + 31 * S; t += 100_000_000L) {
                caller.doWork(t);
                caller.receive(buffer, 0, buffer.length);
            }
            assertEquals(1, warningsContaining(events, "no answer from 127.0.0.1:" + port + " after 10 s"), events.warnings.toString());
            assertTrue(events.failure != null && events.failure.startsWith("no answer from 127.0.0.1:" + port
                    + " after 30 s: port unreachable"), events.failure);
            assertEquals(events.failure, caller.failure());
            assertFalse(caller.isReady());
        } finally {
            caller.close();
        }
    }

    @Test
    void shouldRefuseAConnectTimeoutOnAListener() {
        UdpTransport listener = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> listener.withConnectTimeout(Duration.ofSeconds(1)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> UdpTransport.connect("127.0.0.1", 9).withConnectTimeout(Duration.ofSeconds(-1)));
    }
}
