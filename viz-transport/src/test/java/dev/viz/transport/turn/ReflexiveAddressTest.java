package dev.viz.transport.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.transport.direct.internal.ReflexiveAddress;
import dev.viz.transport.turn.internal.StunMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The direct path's question "what is this socket's public address?" asked of a real coturn (which
 * answers STUN Binding requests on its TURN port), of a port that never answers, and answered by a
 * forger.
 */
@Timeout(30)
class ReflexiveAddressTest {

    /** Polls the socket and the query until it settles; returns the answers seen, by kind, as counts. */
    private static int[] settle(ReflexiveAddress query, DatagramChannel socket, long timeoutMs) throws Exception {
        int[] seen = new int[ReflexiveAddress.Answer.values().length];
        ByteBuffer in = ByteBuffer.allocate(1500);
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!query.isDone() && System.nanoTime() < deadline) {
            query.doWork(socket, System.nanoTime());
            in.clear();
            if (socket.receive(in) != null && StunMessage.looksLikeStun(in.array(), 0, in.position())) {
                seen[query.onDatagram(in.array(), 0, in.position()).ordinal()]++;
            }
            Thread.sleep(1);
        }
        return seen;
    }

    private static DatagramChannel socket() throws Exception {
        DatagramChannel socket = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.configureBlocking(false);
        return socket;
    }

    @Test
    void shouldLearnTheSocketsAddressFromCoturn() throws Exception {
        String why = Coturn.unavailable();
        assumeTrue(why == null, why);
        try (Coturn coturn = Coturn.longTerm(Files.createTempDirectory("vzt-coturn-stun"));
                DatagramChannel socket = socket()) {
            ReflexiveAddress query = new ReflexiveAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), coturn.port));
            long start = System.nanoTime();
            int[] seen = settle(query, socket, 5_000);
            System.out.printf("STUN Binding to coturn: %s in %.1f ms%n", query.address(), (System.nanoTime() - start) / 1e6);
            assertEquals(1, seen[ReflexiveAddress.Answer.ACCEPTED.ordinal()]);
            assertEquals(socket.getLocalAddress(), query.address(), "on loopback the public address is the socket's own");
            assertFalse(query.gaveUp());
        }
    }

    @Test
    void shouldGiveUpOnAServerThatNeverAnswersAndRefuseForgedAnswers() throws Exception {
        try (DatagramChannel silent = socket(); DatagramChannel socket = socket(); DatagramChannel forger = socket()) {
            ReflexiveAddress query = new ReflexiveAddress((InetSocketAddress) silent.getLocalAddress());
            query.doWork(socket, System.nanoTime());
            // A forged success with a transaction id the query never used.
            byte[] forged = new byte[64];
            int n = new StunMessage().begin(forged, 0, StunMessage.BINDING, StunMessage.SUCCESS, new byte[12], 0).end();
            assertEquals(ReflexiveAddress.Answer.REFUSED, query.onDatagram(forged, 0, n));
            forger.send(ByteBuffer.wrap(forged, 0, n), socket.getLocalAddress());
            long start = System.nanoTime();
            int[] seen = settle(query, socket, 10_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            ByteBuffer in = ByteBuffer.allocate(100);
            int requests = 0;
            while (silent.receive(in) != null) {
                requests++;
                in.clear();
            }
            System.out.printf("STUN to a silent port: gave up after %.2f s and %d requests%n", seconds, requests);
            assertTrue(query.gaveUp());
            assertNull(query.address());
            assertEquals(ReflexiveAddress.MAX_TRANSMISSIONS, requests);
            assertEquals(1, seen[ReflexiveAddress.Answer.REFUSED.ordinal()], "the forged answer refused");
            assertTrue(seconds >= 3 && seconds < 5, "250 + 500 + 1000 + 2000 ms: " + seconds);
        }
    }
}
