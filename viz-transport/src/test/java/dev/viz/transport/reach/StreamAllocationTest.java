package dev.viz.transport.reach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.stream.StreamTransport;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stream carriers allocate nothing per datagram: bytes allocated by this thread (HotSpot's
 * per-thread counter) around 10,000 datagrams each way over real loopback TCP, raw and WebSocket,
 * after a warm-up, with the listener's timers and selector polled as a session's network thread
 * polls them.
 */
@Timeout(60)
class StreamAllocationTest {
    private static final int DATAGRAMS = 10_000;
    private static final long TOLERANCE_BYTES = 1_024;

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static long measure(StreamTransport caller, ListenTransport listener) throws Exception {
        Transport.Events quiet = new Transport.Events() { };
        listener.open(quiet);
        caller.open(quiet);
        byte[] payload = new byte[1200];
        byte[] in = new byte[65_536];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!listener.isReady()) {
            assertTrue(System.nanoTime() < deadline, "connect");
            caller.doWork(System.nanoTime());
            listener.doWork(System.nanoTime());
            caller.send(payload, 0, 1);
            if (listener.receive(in, 0, in.length) > 0) {
                listener.acceptPeer();
            }
        }
        long drainUntil = System.nanoTime() + 200_000_000L; // the hellos sent while connecting
        while (System.nanoTime() < drainUntil) {
            caller.doWork(System.nanoTime());
            listener.doWork(System.nanoTime());
            listener.receive(in, 0, in.length);
        }
        exchange(caller, listener, payload, in, DATAGRAMS); // warm-up: JIT, lazily made objects
        long before = allocatedBytes();
        exchange(caller, listener, payload, in, DATAGRAMS);
        long allocated = allocatedBytes() - before;
        caller.close();
        listener.close();
        return allocated;
    }

    private static void exchange(StreamTransport caller, ListenTransport listener, byte[] payload, byte[] in, int n) {
        for (int i = 0; i < n; i++) {
            int length = 100 + i % 1100;
            payload[0] = (byte) i;
            assertEquals(length, caller.send(payload, 0, length));
            int got;
            do {
                caller.doWork(System.nanoTime());
                listener.doWork(System.nanoTime());
                got = listener.receive(in, 0, in.length);
            } while (got == 0);
            assertEquals(length, got);
            assertEquals(length, listener.send(in, 0, got));
            do {
                caller.doWork(System.nanoTime());
                listener.doWork(System.nanoTime());
                got = caller.receive(in, 0, in.length);
            } while (got == 0);
            assertEquals(length, got);
        }
    }

    @Test
    void shouldAllocateNothingPerDatagramOverRawTcp() throws Exception {
        int port = Ports.freeUdpAndTcp();
        long allocated = measure(StreamTransport.tcp("127.0.0.1", port).build(), Ports.loopbackListener(port).build());
        System.out.println("raw TCP: " + allocated + " bytes allocated over " + DATAGRAMS + " round trips");
        assertTrue(allocated < TOLERANCE_BYTES, allocated + " bytes");
    }

    @Test
    void shouldAllocateNothingPerDatagramOverWebSocket() throws Exception {
        int port = Ports.freeUdpAndTcp();
        long allocated = measure(StreamTransport.webSocket(URI.create("ws://127.0.0.1:" + port)).environment(Map.of())
                .build(), Ports.loopbackListener(port).build());
        System.out.println("WebSocket: " + allocated + " bytes allocated over " + DATAGRAMS + " round trips");
        assertTrue(allocated < TOLERANCE_BYTES, allocated + " bytes");
    }
}
