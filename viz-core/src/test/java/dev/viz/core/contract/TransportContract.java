package dev.viz.core.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Transport;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Transport} must do, run against each implementation by a subclass that says
 * how to make a caller and a listener that can reach each other (over real loopback sockets where
 * the transport uses sockets).
 *
 * <p>Hooks for what not every transport does: {@link #identifiesSources()} (a non-zero
 * {@link Transport#lastSourceKey()}) and {@link #newStranger()} (a second caller that can reach the
 * listener, for {@link Transport#reply} and {@link Transport#acceptPeer()} towards a new source).
 * Every event the pair raises is recorded in {@link #callerEvents} and {@link #listenerEvents}.
 */
@Timeout(30)
public abstract class TransportContract {
    protected Transport caller;
    protected Transport listener;
    protected final Recorder callerEvents = new Recorder();
    protected final Recorder listenerEvents = new Recorder();
    private Transport stranger;
    private final byte[] scratch = new byte[65_536];

    /** A caller and a listener, not yet opened; the caller must be able to reach the listener. */
    protected abstract Transport[] newPair() throws Exception;

    /**
     * Whether {@link Transport#lastSourceKey()} identifies the sender's host (true for sockets); when
     * false it must stay 0 (the default), so that a secure layer above applies only its overall limit.
     */
    protected boolean identifiesSources() {
        return false;
    }

    /**
     * A second caller, not yet opened, that sends plain payloads to the listener made by the last
     * {@link #newPair()}; null (the default) where the transport has one fixed peer or where a
     * stranger's payloads never reach the session (a secure layer drops them), which skips the
     * tests that need it.
     */
    protected Transport newStranger() throws Exception {
        return null;
    }

    /**
     * Whether the pair carries payloads over a reliable, ordered stream once established ({@link
     * Transport#isReliableStream()}): what both sides must answer. Default false: a datagram path.
     */
    protected boolean isReliableStream() {
        return false;
    }

    /**
     * Whether both sides can be waited on ({@link Transport#registerReads}) once established: true
     * (the default) for a transport over plain sockets, so the network thread sleeps until a payload
     * comes; false where the transport must be polled (in memory, an impairment's clock, TLS buffers).
     */
    protected boolean canBeWaitedOn() {
        return true;
    }

    /** Every event a transport raised, in order. */
    public static final class Recorder implements Transport.Events {
        public final List<String> ready = new CopyOnWriteArrayList<>();
        public final List<String> notReady = new CopyOnWriteArrayList<>();
        public final List<String> moved = new CopyOnWriteArrayList<>();
        public final List<String> failed = new CopyOnWriteArrayList<>();
        public final List<String> warnings = new CopyOnWriteArrayList<>();
        public final List<Transport.Rejection> rejected = new CopyOnWriteArrayList<>();

        @Override
        public void onReady(String peer) {
            ready.add(String.valueOf(peer));
        }

        @Override
        public void onNotReady(String reason) {
            notReady.add(reason);
        }

        @Override
        public void onPeerMoved(String peer) {
            moved.add(String.valueOf(peer));
        }

        @Override
        public void onFailed(String reason) {
            failed.add(reason);
        }

        @Override
        public void onWarning(String message) {
            warnings.add(message);
        }

        @Override
        public void onRejected(Transport.Rejection why) {
            rejected.add(why);
        }
    }

    @BeforeEach
    void openPair() throws Exception {
        Transport[] pair = newPair();
        caller = pair[0];
        listener = pair[1];
        listener.open(listenerEvents);
        caller.open(callerEvents);
        establish();
    }

    @AfterEach
    void closePair() {
        if (stranger != null) {
            stranger.close();
        }
        if (caller != null) {
            caller.close();
        }
        if (listener != null) {
            listener.close();
        }
    }

    /** Opens the {@link #newStranger()}, or skips the test where there is none. */
    private Transport openStranger() throws Exception {
        stranger = newStranger();
        assumeTrue(stranger != null, getClass().getSimpleName() + " has no second caller: skipped");
        stranger.open(new Recorder());
        return stranger;
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
        drain();
    }

    /** Pumps both sides together for a while, so that nothing from the set-up (a late hello) stays in flight. */
    private void drain() {
        long until = System.nanoTime() + 100_000_000L;
        while (System.nanoTime() < until) {
            long now = System.nanoTime();
            caller.doWork(now);
            listener.doWork(now);
            caller.receive(scratch, 0, scratch.length);
            listener.receive(scratch, 0, scratch.length);
        }
    }

    /** Polls {@code to} (pumping both sides, and the stranger if any) until it delivers a payload; returns it. */
    protected byte[] receiveOne(Transport to) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            caller.doWork(now);
            listener.doWork(now);
            if (stranger != null) {
                stranger.doWork(now);
            }
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

    /**
     * The playout reads {@link Transport#isReliableStream()} from the playback thread: both sides
     * answer what the carrier is, from any thread; and a stream keeps its promise: payloads sent back
     * to back, before the other side reads any, all arrive and in order.
     */
    @Test
    void shouldSayWhetherItIsAReliableStreamAndKeepThatPromise() throws Exception {
        assertEquals(isReliableStream(), caller.isReliableStream(), "caller");
        assertEquals(isReliableStream(), listener.isReliableStream(), "listener");
        boolean[] fromAnotherThread = new boolean[2];
        Thread asker = new Thread(() -> {
            fromAnotherThread[0] = caller.isReliableStream();
            fromAnotherThread[1] = listener.isReliableStream();
        });
        asker.start();
        asker.join();
        assertEquals(isReliableStream(), fromAnotherThread[0], "caller, asked from another thread");
        assertEquals(isReliableStream(), fromAnotherThread[1], "listener, asked from another thread");
        if (!isReliableStream()) {
            return;
        }
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] payload = random(100, 200 + i);
            sent.add(payload);
            assertEquals(payload.length, caller.send(payload, 0, payload.length), "payload " + i);
        }
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), receiveOne(listener), "payload " + i + " of a burst");
        }
    }

    /**
     * A transport that says it can be waited on has registered a socket that wakes the selector when
     * the peer's payload comes, the payload is then there to receive, and it keeps saying so; one that
     * cannot says so, and the network thread polls it.
     */
    @Test
    void shouldWakeTheSelectorItRegisteredWhenAPayloadArrives() throws Exception {
        Consumer<SelectionKey> ignore = key -> { };
        try (Selector selector = Selector.open(); Selector callerSelector = Selector.open()) {
            assertEquals(canBeWaitedOn(), listener.registerReads(selector), "listener can be waited on");
            assertEquals(canBeWaitedOn(), caller.registerReads(callerSelector), "caller can be waited on");
            if (!canBeWaitedOn()) {
                return;
            }
            byte[] payload = random(200, 6);
            assertEquals(payload.length, caller.send(payload, 0, payload.length));
            long deadline = System.nanoTime() + 5_000_000_000L;
            int ready = 0;
            while (ready == 0 && System.nanoTime() < deadline) {
                caller.doWork(System.nanoTime()); // a stream writes what the socket could not take at once
                ready = selector.select(ignore, 50);
            }
            assertTrue(ready > 0, "the payload woke the selector");
            assertArrayEquals(payload, receiveOne(listener));
            assertTrue(listener.registerReads(selector), "still waitable after a payload");
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

    @Test
    void shouldRaiseOnReadyOnceWithThePeerItCanSendTo() {
        assertEquals(1, callerEvents.ready.size(), "caller: " + callerEvents.ready);
        assertEquals(1, listenerEvents.ready.size(), "listener: " + listenerEvents.ready);
        assertNotNull(caller.peer());
        assertNotNull(listener.peer());
        assertEquals(caller.peer(), callerEvents.ready.get(0));
        assertEquals(listener.peer(), listenerEvents.ready.get(0));
        assertTrue(callerEvents.notReady.isEmpty() && listenerEvents.notReady.isEmpty(), "never not ready");
        assertTrue(callerEvents.failed.isEmpty() && listenerEvents.failed.isEmpty(), "nothing failed");
    }

    @Test
    void shouldRaiseNoEventButDeliveriesInACleanExchange() {
        int rejectedBefore = callerEvents.rejected.size() + listenerEvents.rejected.size();
        for (int i = 0; i < 20; i++) {
            byte[] there = random(200, 300 + i);
            byte[] back = random(100, 400 + i);
            assertEquals(there.length, caller.send(there, 0, there.length));
            assertArrayEquals(there, receiveOne(listener));
            assertEquals(back.length, listener.send(back, 0, back.length));
            assertArrayEquals(back, receiveOne(caller));
        }
        assertEquals(rejectedBefore, callerEvents.rejected.size() + listenerEvents.rejected.size(), "nothing rejected");
        assertEquals(List.of(), callerEvents.moved);
        assertEquals(List.of(), listenerEvents.moved);
        assertEquals(List.of(), callerEvents.failed);
        assertEquals(List.of(), listenerEvents.failed);
        assertEquals(List.of(), callerEvents.warnings);
        assertEquals(List.of(), listenerEvents.warnings);
        assertEquals(1, callerEvents.ready.size());
        assertEquals(1, listenerEvents.ready.size());
    }

    @Test
    void shouldStayWithThePeerWhenTheSameSourceIsAcceptedAgain() {
        String peer = listener.peer();
        byte[] payload = random(64, 6);
        caller.send(payload, 0, payload.length);
        assertArrayEquals(payload, receiveOne(listener));
        listener.acceptPeer();
        listener.acceptPeer();
        assertEquals(peer, listener.peer());
        assertEquals(List.of(), listenerEvents.moved, "the peer did not move");
        byte[] back = random(32, 7);
        assertEquals(back.length, listener.send(back, 0, back.length));
        assertArrayEquals(back, receiveOne(caller));
    }

    @Test
    void shouldReplyToTheSourceOfTheLastPayload() {
        byte[] payload = random(80, 8);
        caller.send(payload, 0, payload.length);
        assertArrayEquals(payload, receiveOne(listener));
        byte[] answer = random(90, 9);
        assertEquals(answer.length, listener.reply(answer, 0, answer.length));
        assertArrayEquals(answer, receiveOne(caller));
        assertEquals(Transport.ERROR_TOO_LARGE, listener.reply(answer, 0, listener.maxPayloadBytes() + 1));
    }

    @Test
    void shouldIdentifyTheSourceOfEachPayloadWhereItCan() {
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] payload = random(40, 10 + i);
            caller.send(payload, 0, payload.length);
            assertArrayEquals(payload, receiveOne(listener));
            keys.add(listener.lastSourceKey());
        }
        assertEquals(1, keys.stream().distinct().count(), "one caller, one key: " + keys);
        if (identifiesSources()) {
            assertNotEquals(0L, keys.get(0), "a source key for the caller's host");
        } else {
            assertEquals(0L, keys.get(0), "0: the source is not known here");
        }
    }

    @Test
    void shouldReplyToAStrangerWithoutMakingItThePeer() throws Exception {
        Transport other = openStranger();
        String peer = listener.peer();
        byte[] hello = random(50, 11);
        assertEquals(hello.length, other.send(hello, 0, hello.length));
        assertArrayEquals(hello, receiveOne(listener));
        if (identifiesSources()) {
            assertNotEquals(0L, listener.lastSourceKey());
        }
        byte[] answer = random(60, 12);
        assertEquals(answer.length, listener.reply(answer, 0, answer.length));
        assertArrayEquals(answer, receiveOne(other), "the reply went to the stranger");
        assertEquals(peer, listener.peer(), "a reply does not move the peer");
        byte[] toPeer = random(70, 13);
        assertEquals(toPeer.length, listener.send(toPeer, 0, toPeer.length));
        assertArrayEquals(toPeer, receiveOne(caller), "sending still goes to the peer");
        assertEquals(List.of(), listenerEvents.moved);
    }

    @Test
    void shouldMoveToANewSourceOnceTheSessionAcceptsIt() throws Exception {
        Transport other = openStranger();
        String peer = listener.peer();
        byte[] hello = random(50, 14);
        assertEquals(hello.length, other.send(hello, 0, hello.length));
        assertArrayEquals(hello, receiveOne(listener));
        listener.acceptPeer();
        assertEquals(1, listenerEvents.moved.size(), "onPeerMoved: " + listenerEvents.moved);
        assertEquals(listener.peer(), listenerEvents.moved.get(0));
        assertNotEquals(peer, listener.peer());
        byte[] toNewPeer = random(70, 15);
        assertEquals(toNewPeer.length, listener.send(toNewPeer, 0, toNewPeer.length));
        assertArrayEquals(toNewPeer, receiveOne(other), "sending goes to the new peer");
    }
}
