package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.loopback.LoopbackTransport;
import dev.viz.transport.secure.internal.DataHeader;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The data path allocates nothing: bytes allocated by this thread (HotSpot's per-thread counter)
 * around 10,000 datagrams sealed, sent, received and opened after a warm-up, and around 10,000
 * forged datagrams rejected. The wrapped transport is the in-memory pair, which allocates nothing
 * itself, so the figure is the secure layer's.
 */
@Timeout(60)
class AllocationTest {
    private static final int DATAGRAMS = 10_000;
    /** "About zero": room for a stray lazy initialisation, far below one byte per datagram. */
    private static final long TOLERANCE_BYTES = 1_024;

    /** Events that count without allocating (no boxing, no lists). */
    private static final class Counting implements Transport.Events {
        final long[] rejected = new long[Transport.Rejection.values().length];

        @Override
        public void onRejected(Transport.Rejection why) {
            rejected[why.ordinal()]++;
        }
    }

    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void shouldAllocateNothingPerDatagramOrPerForgery() throws Exception {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        TapTransport callerWire = new TapTransport(pair[0]);
        SecureTransport caller = SecureTransport.wrap(callerWire).identity(Identity.generate())
                .role(SecureTransport.Role.INITIATOR).build();
        SecureTransport listener = SecureTransport.wrap(pair[1]).identity(Identity.generate())
                .role(SecureTransport.Role.RESPONDER).build();
        Counting callerEvents = new Counting();
        Counting listenerEvents = new Counting();
        caller.open(callerEvents);
        listener.open(listenerEvents);
        byte[] buffer = new byte[65_536];
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(caller.isReady() && listener.isReady())) {
            assertTrue(System.nanoTime() < deadline, "handshake");
            caller.doWork(System.nanoTime());
            listener.doWork(System.nanoTime());
            caller.receive(buffer, 0, buffer.length);
            listener.receive(buffer, 0, buffer.length);
        }
        byte[] batch = new byte[1291]; // a default batch: 8 CBR Opus frames of 160 bytes and 11 header bytes
        new Random(1).nextBytes(batch);
        byte[] forged = new byte[400];

        callerWire.sent.clear();
        caller.send(batch, 0, 10);
        listener.receive(buffer, 0, buffer.length);
        int liveIndex = DataHeader.receiverIndex(callerWire.sent.get(0), 0);
        callerWire.recording = false;

        exchange(caller, listener, batch, buffer, 20_000); // warm-up: let the JIT compile the path
        forge(pair[0], forged, liveIndex, 20_000, listener, buffer);

        long before = allocatedBytes();
        long overhead = allocatedBytes() - before; // what asking costs
        before = allocatedBytes();
        exchange(caller, listener, batch, buffer, DATAGRAMS);
        long exchanged = allocatedBytes() - before - overhead;

        long rejectedBefore = listenerEvents.rejected[Transport.Rejection.UNAUTHENTICATED.ordinal()];
        before = allocatedBytes();
        forge(pair[0], forged, liveIndex, DATAGRAMS, listener, buffer);
        long forgedBytes = allocatedBytes() - before - overhead;
        long rejected = listenerEvents.rejected[Transport.Rejection.UNAUTHENTICATED.ordinal()] - rejectedBefore;

        System.out.printf("allocation: %d bytes for %d datagrams each way (seal, send, receive, open);"
                + " %d bytes for %d forged datagrams rejected by the AEAD (measuring itself costs %d bytes)%n",
                exchanged, DATAGRAMS, forgedBytes, DATAGRAMS, overhead);
        assertEquals(DATAGRAMS, rejected);
        assertTrue(exchanged < TOLERANCE_BYTES, exchanged + " bytes allocated for " + DATAGRAMS + " datagrams");
        assertTrue(forgedBytes < TOLERANCE_BYTES, forgedBytes + " bytes allocated for " + DATAGRAMS + " forgeries");
        caller.close();
        listener.close();
    }

    /** {@code count} datagrams each way, one at a time. */
    private static void exchange(SecureTransport a, SecureTransport b, byte[] batch, byte[] buffer, int count) {
        for (int i = 0; i < count; i++) {
            long now = System.nanoTime();
            a.doWork(now);
            b.doWork(now);
            if (a.send(batch, 0, batch.length) != batch.length || b.receive(buffer, 0, buffer.length) != batch.length) {
                throw new AssertionError("datagram " + i + " lost");
            }
            if (b.send(batch, 0, batch.length) != batch.length || a.receive(buffer, 0, buffer.length) != batch.length) {
                throw new AssertionError("datagram " + i + " lost on the way back");
            }
        }
    }

    /** Forged data datagrams for the live session index, straight onto the wire through the caller's raw transport. */
    private static void forge(Transport raw, byte[] forged, int liveIndex, int count, SecureTransport to, byte[] buffer) {
        // With the live session index a forgery gets as far as the AEAD, the most expensive rejection.
        for (int i = 0; i < count; i++) {
            DataHeader.put(forged, 0, liveIndex, i);
            forged[forged.length - 1] = (byte) (i >> 8);
            raw.send(forged, 0, forged.length);
            if (to.receive(buffer, 0, buffer.length) != 0) {
                throw new AssertionError("a forgery was delivered");
            }
        }
    }
}
