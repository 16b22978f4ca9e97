package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.transport.loopback.LoopbackTransport;
import dev.viz.transport.secure.internal.DataHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded mutation loop over the handshake state machine, bounded in time: fresh pairs with random
 * configurations (roles set or derived, secrets equal, different or on one side, pins right or
 * wrong) whose handshake datagrams are dropped, duplicated, corrupted, delayed, or mixed with
 * datagrams replayed from earlier handshakes. Whatever happens: nothing throws, a handshake that
 * completes agrees on both sides with the real keys, an incompatible pair never completes, and a
 * completed pair carries data intact. Failures name their seed.
 */
@Timeout(60)
class HandshakeChaosTest {
    private static final long BUDGET_NS = 10_000_000_000L;
    private final Identity a = Identity.generate();
    private final Identity b = Identity.generate();
    private final List<byte[]> pool = new ArrayList<>();

    @Test
    void shouldStayConsistentWhateverHappensToHandshakeDatagrams() throws Exception {
        long start = System.nanoTime();
        int iterations = 0;
        int completed = 0;
        int refused = 0;
        for (long seed = 1; System.nanoTime() - start < BUDGET_NS; seed++) {
            String outcome = iteration(seed);
            iterations++;
            if (outcome.equals("completed")) {
                completed++;
            } else if (outcome.equals("refused")) {
                refused++;
            }
        }
        System.out.printf("chaos: %d handshakes under chaos in %d s: %d completed, %d refused as configured,"
                + " the rest still retrying when their time was up%n", iterations, BUDGET_NS / 1_000_000_000L, completed,
                refused);
        assertTrue(completed > 0 && refused > 0);
    }

    private String iteration(long seed) throws Exception {
        Random random = new Random(seed);
        byte[] psk = new byte[32];
        byte[] otherPsk = new byte[32];
        otherPsk[0] = 1;
        int[] secretChoices = {0, 0, 1, 1, 2, 3}; // 0 none, 1 same, 2 different, 3 only the caller
        int[] pinChoices = {0, 0, 0, 1, 1, 2, 3}; // 0 none, 1 right, 2 wrong at the caller, 3 wrong at the listener
        int secrets = secretChoices[random.nextInt(secretChoices.length)];
        int pins = pinChoices[random.nextInt(pinChoices.length)];
        boolean derived = random.nextInt(4) == 0;
        UnaryOperator<SecureTransport.Builder> callerConfig = c -> {
            c.identity(a);
            if (secrets == 1 || secrets == 2 || secrets == 3) {
                c.presharedKey(psk);
            }
            if (pins == 1) {
                c.peerKey(b.fingerprint());
            } else if (pins == 2) {
                c.peerKey(a.fingerprint());
            }
            return c;
        };
        UnaryOperator<SecureTransport.Builder> listenerConfig = c -> {
            c.identity(b);
            if (secrets == 1) {
                c.presharedKey(psk);
            } else if (secrets == 2) {
                c.presharedKey(otherPsk);
            }
            if (pins == 1) {
                c.peerKey(a.fingerprint());
            } else if (pins == 3) {
                c.peerKey(b.fingerprint());
            }
            return c;
        };
        boolean compatible = (secrets == 0 || secrets == 1) && (pins == 0 || pins == 1);

        LoopbackTransport[] raw = LoopbackTransport.pair();
        TapTransport callerWire = new TapTransport(raw[0]);
        TapTransport listenerWire = new TapTransport(raw[1]);
        Endpoint listener = Endpoint.open("listener", listenerConfig.apply(derived ? SecureTransport.wrap(listenerWire)
                : SecureTransport.wrap(listenerWire).role(SecureTransport.Role.RESPONDER)), listenerWire);
        Endpoint caller = Endpoint.open("caller", callerConfig.apply(derived ? SecureTransport.wrap(callerWire)
                : SecureTransport.wrap(callerWire).role(SecureTransport.Role.INITIATOR)), callerWire);
        chaos(callerWire, random);
        chaos(listenerWire, random);
        try (caller; listener) {
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline && !(caller.isReady() && listener.isReady())
                    && (compatible || caller.failure == null && listener.warnings.isEmpty())) {
                caller.poll();
                listener.poll();
            }
            String where = "seed " + seed + " (secrets " + secrets + ", pins " + pins + ", derived " + derived + ")";
            collect(callerWire);
            collect(listenerWire);
            if (!compatible) {
                assertEquals(0, caller.transport.handshakesCompleted() + listener.transport.handshakesCompleted(),
                        "an incompatible pair completed: " + where);
                return caller.failure != null || listener.failure != null || !listener.warnings.isEmpty()
                        ? "refused" : "pending";
            }
            assertTrue(caller.failure == null && listener.failure == null, "a compatible pair failed: " + where + ": "
                    + caller.failure + listener.failure);
            if (!(caller.isReady() && listener.isReady())) {
                return "pending";
            }
            assertEquals(caller.lastCode(), listener.lastCode(), where);
            assertEquals(b.fingerprint(), caller.transport.peerFingerprint(), where);
            assertEquals(a.fingerprint(), listener.transport.peerFingerprint(), where);
            callerWire.onReceive = null;
            listenerWire.onReceive = null;
            byte[] payload = {9, 8, 7, (byte) seed};
            caller.send(payload);
            listener.send(payload);
            Endpoint.pumpUntil(() -> !listener.received.isEmpty() && !caller.received.isEmpty(), 5_000, where,
                    caller, listener);
            assertArrayEquals(payload, listener.received.get(listener.received.size() - 1), where);
            assertArrayEquals(payload, caller.received.get(caller.received.size() - 1), where);
            assertFalse(listener.received.size() > 1 || caller.received.size() > 1, "something else was delivered");
            return "completed";
        }
    }

    /** Handshake datagrams arriving at this side: dropped, duplicated, corrupted, delayed, or joined by replays. */
    private void chaos(TapTransport wire, Random random) {
        List<byte[]> delayed = new ArrayList<>();
        wire.onReceive = d -> {
            if (!delayed.isEmpty() && random.nextInt(3) == 0) {
                wire.inject(delayed.remove(0));
            }
            if (!pool.isEmpty() && random.nextInt(10) == 0) {
                wire.inject(pool.get(random.nextInt(pool.size())));
            }
            if (d[0] == DataHeader.TYPE) {
                return d;
            }
            switch (random.nextInt(20)) {
                case 0:
                    return null;
                case 1:
                    wire.inject(d);
                    return d;
                case 2:
                    d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
                    return d;
                case 3:
                    delayed.add(d);
                    return null;
                default:
                    return d;
            }
        };
    }

    private void collect(TapTransport wire) {
        for (byte[] d : wire.received) {
            if (pool.size() < 500) {
                pool.add(d);
            }
        }
    }
}
