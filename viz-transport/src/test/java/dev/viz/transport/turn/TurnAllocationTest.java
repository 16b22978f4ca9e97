package dev.viz.transport.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Transport;
import dev.viz.transport.PingPong;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay path allocates nothing per datagram: bytes allocated by this thread (HotSpot's
 * per-thread counter) around 5,000 ChannelData datagrams each way through a real coturn, after a
 * warm-up, with the transports driven as a network thread drives them (doWork, send, receive).
 */
@Timeout(60)
class TurnAllocationTest {
    private static final int DATAGRAMS = 5_000;
    private static final long TOLERANCE_BYTES = 1_024;

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void shouldAllocateNothingPerRelayedDatagram() throws Exception {
        String why = Coturn.unavailable();
        assumeTrue(why == null, why);
        try (Coturn coturn = Coturn.longTerm(Files.createTempDirectory("vzt-coturn-alloc"))) {
            TurnTransport listener = TurnTransport.listen(coturn.udp());
            listener.allocate();
            TurnTransport caller = TurnTransport.connect(coturn.udp(), listener.relayedAddress());
            Transport.Events quiet = new Transport.Events() { };
            listener.open(quiet);
            caller.open(quiet);
            byte[] batch = new byte[caller.maxPayloadBytes()]; // a full batch at the default datagram limit
            new Random(1).nextBytes(batch);
            byte[] buffer = new byte[65_536];
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!(listener.isReady() && listener.channelBound())) {
                assertTrue(System.nanoTime() < deadline, "the listener learns the caller and binds its channel");
                caller.doWork(System.nanoTime());
                listener.doWork(System.nanoTime());
                caller.send(batch, 0, 10);
                if (listener.receive(buffer, 0, buffer.length) > 0) {
                    listener.acceptPeer();
                }
                caller.receive(buffer, 0, buffer.length);
                Thread.sleep(1);
            }
            PingPong.exchange(caller, listener, batch, buffer, 5_000); // warm-up
            long before = allocatedBytes();
            long overhead = allocatedBytes() - before;
            before = allocatedBytes();
            int lost = PingPong.exchange(caller, listener, batch, buffer, DATAGRAMS);
            long bytes = allocatedBytes() - before - overhead;
            System.out.printf("TURN allocation: %d bytes for %d ChannelData datagrams each way through coturn (%d lost)%n",
                    bytes, DATAGRAMS, lost);
            assertTrue(bytes < TOLERANCE_BYTES, bytes + " bytes allocated for " + DATAGRAMS + " datagrams");
            assertEquals(0, listener.droppedCount() + caller.droppedCount(), "nothing dropped as malformed or forged");
            caller.close();
            listener.close();
        }
    }
}
