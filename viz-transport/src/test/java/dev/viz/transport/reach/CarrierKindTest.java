package dev.viz.transport.reach;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.stream.StreamTransport;
import dev.viz.transport.udp.UdpTransport;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transports that offer several carriers say which one a call is on ({@link
 * Transport#isReliableStream()}), because the playout treats a stream's stalls differently: the
 * one-port listener once its peer is known, a UDP-then-TCP caller once it fell back. Real loopback
 * sockets.
 */
@Timeout(30)
class CarrierKindTest {
    private final byte[] scratch = new byte[2048];

    @Test
    void shouldSayTheListenerIsOnAStreamOnlyOnceItsPeerCallsOverTcp() throws Exception {
        int port = Ports.freeUdpAndTcp();
        try (ListenTransport listener = Ports.loopbackListener(port).build();
                UdpTransport udpCaller = UdpTransport.connect("127.0.0.1", port);
                StreamTransport tcpCaller = StreamTransport.tcp("127.0.0.1", port).build()) {
            listener.open(new Transport.Events() { });
            assertFalse(listener.isReliableStream(), "UDP taken too: not known before a peer");
            udpCaller.open(new Transport.Events() { });
            exchange(udpCaller, listener);
            assertFalse(listener.isReliableStream(), "peer over UDP");
            tcpCaller.open(new Transport.Events() { });
            exchange(tcpCaller, listener);
            assertEquals("tcp", listener.carrier());
            assertTrue(listener.isReliableStream(), "peer moved to TCP");
        }
    }

    @Test
    void shouldSayAListenerWithoutUdpIsOnAStreamFromTheStart() throws Exception {
        try (ListenTransport listener = Ports.loopbackListener(Ports.freeUdpAndTcp()).udp(false).build()) {
            assertTrue(listener.isReliableStream());
        }
    }

    @Test
    void shouldSayTheFallbackCallerIsOnAStreamOnceItFellBackToTcp() throws Exception {
        int port = Ports.freeUdpAndTcp();
        try (ListenTransport listener = Ports.loopbackListener(port).udp(false).build();
                FallbackTransport caller = new FallbackTransport(UdpTransport.connect("127.0.0.1", port),
                        StreamTransport.tcp("127.0.0.1", port).build(), 200, "127.0.0.1:" + port)) {
            listener.open(new Transport.Events() { });
            caller.open(new Transport.Events() { });
            assertFalse(caller.isReliableStream(), "trying UDP first");
            exchange(caller, listener);
            assertEquals("tcp", caller.carrier());
            assertTrue(caller.isReliableStream(), "fell back to TCP");
        }
    }

    /** Sends from {@code from} until {@code to} receives it, and makes the sender the listener's peer. */
    private void exchange(Transport from, ListenTransport to) {
        byte[] hello = {1, 2, 3};
        long deadline = System.nanoTime() + 10_000_000_000L;
        long lastSentNs = 0;
        while (true) {
            assertTrue(System.nanoTime() < deadline, "nothing arrived");
            long now = System.nanoTime();
            from.doWork(now);
            to.doWork(now);
            if (now - lastSentNs > 50_000_000L) {
                from.send(hello, 0, hello.length);
                lastSentNs = now;
            }
            int n = to.receive(scratch, 0, scratch.length);
            if (n > 0) {
                assertArrayEquals(hello, Arrays.copyOf(scratch, n));
                to.acceptPeer();
                // The fallback caller decides on its carrier when an answer comes back.
                to.send(hello, 0, hello.length);
                long answerDeadline = System.nanoTime() + 5_000_000_000L;
                while (from.receive(scratch, 0, scratch.length) == 0) {
                    assertTrue(System.nanoTime() < answerDeadline, "no answer");
                    from.doWork(System.nanoTime());
                    to.doWork(System.nanoTime());
                    Thread.onSpinWait();
                }
                return;
            }
            Thread.onSpinWait();
        }
    }
}
