package dev.viz.core.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Transport} must do, run against each implementation by a subclass that says
 * how to make a caller and a listener that can reach each other (over real loopback sockets where
 * the transport uses sockets).
 */
@Timeout(30)
public abstract class TransportContract {
    protected Transport caller;
    protected Transport listener;
    private final byte[] scratch = new byte[65_536];

    /** A caller and a listener, not yet opened; the caller must be able to reach the listener. */
    protected abstract Transport[] newPair() throws Exception;

    @BeforeEach
    void openPair() throws Exception {
        Transport[] pair = newPair();
        caller = pair[0];
        listener = pair[1];
        listener.open(new Transport.Events() { });
        caller.open(new Transport.Events() { });
        establish();
    }

    @AfterEach
    void closePair() {
        if (caller != null) {
            caller.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    /** Does what a session does until both sides can send: the caller says hello, the listener accepts it. */
    private void establish() {
        byte[] hello = {0x12};
        long lastHelloNs = 0;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!(caller.isReady() && listener.isReady())) {
            assertTrue(System.nanoTime() < deadline, "the transports never became ready");
            long now = System.nanoTime();
            caller.doWork(now);
            listener.doWork(now);
            if (caller.isReady() && now - lastHelloNs > 50_000_000L) {
                caller.send(hello, 0, 1);
                lastHelloNs = now;
            }
            if (listener.receive(scratch, 0, scratch.length) > 0) {
                listener.acceptPeer();
            }
            caller.receive(scratch, 0, scratch.length);
            Thread.onSpinWait();
        }
        drain(listener);
        drain(caller);
    }

    private void drain(Transport t) {
        long until = System.nanoTime() + 100_000_000L;
        while (System.nanoTime() < until) {
            t.doWork(System.nanoTime());
            t.receive(scratch, 0, scratch.length);
        }
    }

    /** Polls {@code to} (pumping both sides) until it delivers a payload; returns it. */
    protected byte[] receiveOne(Transport to) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            caller.doWork(now);
            listener.doWork(now);
            int n = to.receive(scratch, 0, scratch.length);
            if (n > 0) {
                return Arrays.copyOf(scratch, n);
            }
            Thread.onSpinWait();
        }
        return null;
    }

    protected static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.onSpinWait();
        }
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void shouldDeliverPayloadIntactFromCallerToListener() {
        byte[] payload = random(700, 1);
        assertEquals(payload.length, caller.send(payload, 0, payload.length));
        assertArrayEquals(payload, receiveOne(listener));
    }

    @Test
    void shouldDeliverPayloadIntactFromListenerToCaller() {
        byte[] payload = random(300, 2);
        assertEquals(payload.length, listener.send(payload, 0, payload.length));
        assertArrayEquals(payload, receiveOne(caller));
    }

    @Test
    void shouldSendFromAnOffsetWithinALargerBuffer() {
        byte[] buffer = random(1000, 3);
        assertEquals(100, caller.send(buffer, 450, 100));
        assertArrayEquals(Arrays.copyOfRange(buffer, 450, 550), receiveOne(listener));
    }

    @Test
    void shouldCarryTheLargestPayloadAndRefuseOneByteMore() {
        int max = caller.maxPayloadBytes();
        byte[] payload = random(max + 1, 4);
        assertEquals(Transport.ERROR_TOO_LARGE, caller.send(payload, 0, max + 1));
        assertEquals(max, caller.send(payload, 0, max));
        assertArrayEquals(Arrays.copyOf(payload, max), receiveOne(listener));
    }

    @Test
    void shouldDeliverManyPayloadsInOrderOnLoopback() {
        for (int i = 0; i < 100; i++) {
            byte[] payload = random(50 + i, 100 + i);
            assertEquals(payload.length, caller.send(payload, 0, payload.length));
            assertArrayEquals(payload, receiveOne(listener), "payload " + i);
        }
    }

    @Test
    void shouldReturnZeroWhenNothingArrived() {
        assertEquals(0, listener.receive(scratch, 0, scratch.length));
        assertEquals(0, caller.receive(scratch, 0, scratch.length));
    }

    @Test
    void shouldCloseIdempotentlyAndRefuseToSendAfterwards() {
        caller.close();
        caller.close();
        assertFalse(caller.isReady());
        assertTrue(caller.send(new byte[10], 0, 10) < 0);
        assertEquals(0, caller.receive(scratch, 0, scratch.length));
    }

    @Test
    void shouldCountWireBytesBothWays() {
        long sentBefore = caller.wireBytesSent();
        long receivedBefore = listener.wireBytesReceived();
        byte[] payload = random(500, 5);
        caller.send(payload, 0, payload.length);
        receiveOne(listener);
        assertTrue(caller.wireBytesSent() - sentBefore >= 500, "caller counted what it sent");
        assertTrue(listener.wireBytesReceived() - receivedBefore >= 500, "listener counted what it received");
    }
}
