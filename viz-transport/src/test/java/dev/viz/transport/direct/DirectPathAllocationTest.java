package dev.viz.transport.direct;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.PingPong;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.udp.UdpTransport;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The direct path allocates nothing per datagram: bytes allocated by this thread around 5,000 secure
 * datagrams each way over the direct sockets on loopback, after a warm-up, driven as a network thread
 * drives them. Only the path's own messages allocate (a probe and its answer a second on the path in
 * use), which the bound allows for by the elapsed time.
 */
@Timeout(60)
class DirectPathAllocationTest {
    private static final int DATAGRAMS = 5_000;
    /**
     * Both sides run on this thread: each second each seals a probe and an answer and opens the
     * other's, through libsodium's array calls (about 3.5 KB for the four, measured). A window may
     * straddle two probe times, hence one second more than it lasted.
     */
    private static final long PATH_MESSAGES_BYTES_PER_S = 8_192;

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void shouldAllocateNothingPerDirectDatagram() throws Exception {
        UdpTransport relay = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        DirectPathTransport listenerPath = DirectPathTransport.over(relay).innerPath("relay").build();
        SecureTransport listener = SecureTransport.wrap(listenerPath).identity(Identity.generate()).build();
        Transport.Events quiet = new Transport.Events() { };
        listener.open(quiet);
        DirectPathTransport callerPath = DirectPathTransport.over(UdpTransport.connect("127.0.0.1", relay.localPort()))
                .innerPath("relay").build();
        SecureTransport caller = SecureTransport.wrap(callerPath).identity(Identity.generate()).build();
        caller.open(quiet);
        byte[] batch = new byte[caller.maxPayloadBytes()];
        new Random(1).nextBytes(batch);
        byte[] buffer = new byte[65_536];
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(DirectPathTransport.DIRECT.equals(callerPath.path())
                && DirectPathTransport.DIRECT.equals(listenerPath.path()))) {
            assertTrue(System.nanoTime() < deadline, "both sides on the direct path");
            long now = System.nanoTime();
            caller.doWork(now);
            listener.doWork(now);
            caller.send(batch, 0, 10);
            listener.send(batch, 0, 10);
            while (listener.receive(buffer, 0, buffer.length) > 0 || caller.receive(buffer, 0, buffer.length) > 0) {
                // drain
            }
            Thread.sleep(1);
        }
        PingPong.exchange(caller, listener, batch, buffer, DATAGRAMS); // warm-up
        long before = allocatedBytes();
        long overhead = allocatedBytes() - before;
        long directBefore = callerPath.directDataSent();
        long startNs = System.nanoTime();
        before = allocatedBytes();
        int lost = PingPong.exchange(caller, listener, batch, buffer, DATAGRAMS);
        long bytes = allocatedBytes() - before - overhead;
        double seconds = (System.nanoTime() - startNs) / 1e9;
        long direct = callerPath.directDataSent() - directBefore;
        System.out.printf("direct path allocation: %d bytes for %d secure datagrams each way in %.2f s (%d lost,"
                + " %d of the caller's on the direct path)%n", bytes, DATAGRAMS, seconds, lost, direct);
        assertTrue(direct >= DATAGRAMS, "they went directly: " + direct);
        assertTrue(bytes < 1_024 + PATH_MESSAGES_BYTES_PER_S * (Math.ceil(seconds) + 1),
                bytes + " bytes allocated for " + DATAGRAMS + " datagrams each way in " + seconds + " s");
        caller.close();
        listener.close();
    }
}
