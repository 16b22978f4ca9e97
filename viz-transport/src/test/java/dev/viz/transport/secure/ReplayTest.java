package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport.Rejection;
import dev.viz.transport.secure.internal.DataHeader;
import dev.viz.transport.secure.internal.HandshakeHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Captured datagrams sent again (in order, reversed, shuffled, and much later) are all rejected as
 * replays; genuine datagrams that arrive out of order are all accepted once.
 */
@Timeout(60)
class ReplayTest {
    private final Identity callerId = Identity.generate();
    private final Identity listenerId = Identity.generate();

    private static byte[] numbered(int i) {
        return ByteBuffer.allocate(40).putInt(i).array();
    }

    @Test
    void shouldRejectEveryReplayInOrderReversedShuffledAndLater() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
        Endpoint caller = pair[0];
        Endpoint listener = pair[1];
        try (caller; listener) {
            Calls.awaitSecured(caller, listener);
            TapTransport wire = Calls.tap(caller);
            wire.sent.clear();
            for (int i = 0; i < 100; i++) {
                caller.send(numbered(i));
                if (i % 20 == 19) {
                    Endpoint.pumpFor(5, caller, listener);
                }
            }
            Endpoint.pumpUntil(() -> listener.received.size() == 100, 5_000, "100 genuine", caller, listener);
            List<byte[]> captured = TapTransport.ofType(wire.sent, DataHeader.TYPE);
            assertEquals(100, captured.size());

            int replays = 0;
            List<byte[]> order = new ArrayList<>(captured);
            replays += replay(order, listener);
            Collections.reverse(order);
            replays += replay(order, listener);
            Collections.shuffle(order, new Random(5));
            replays += replay(order, listener);

            // Later: the window has moved far beyond them.
            wire.recording = false;
            for (int i = 100; i < 6_100; i++) {
                caller.send(numbered(i));
                if (i % 50 == 0) {
                    Endpoint.pumpFor(2, caller, listener);
                }
            }
            Endpoint.pumpUntil(() -> listener.received.size() == 6_100, 10_000, "6000 more", caller, listener);
            replays += replay(captured, listener);
            assertEquals(400, replays);
            assertEquals(400, listener.transport.rejectedCount(Rejection.REPLAYED));
            System.out.printf("replay: %d replayed datagrams, all rejected as REPLAYED%n", replays);
        }
    }

    private static int replay(List<byte[]> datagrams, Endpoint to) {
        int delivered = to.received.size();
        long before = to.transport.rejectedCount(Rejection.REPLAYED);
        for (byte[] d : datagrams) {
            Calls.tap(to).inject(d);
            to.poll();
        }
        assertEquals(delivered, to.received.size(), "a replay was delivered");
        assertEquals(before + datagrams.size(), to.transport.rejectedCount(Rejection.REPLAYED));
        return datagrams.size();
    }

    @Test
    void shouldAcceptGenuineDatagramsOnceWhateverTheirOrder() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
        Endpoint caller = pair[0];
        Endpoint listener = pair[1];
        try (caller; listener) {
            Calls.awaitSecured(caller, listener);
            List<byte[]> held = Collections.synchronizedList(new ArrayList<>());
            Calls.tap(listener).onReceive = d -> {
                if (d[0] == DataHeader.TYPE) {
                    held.add(d);
                    return null; // held back: delivered later, reordered
                }
                return d;
            };
            for (int i = 0; i < 300; i++) {
                caller.send(numbered(i));
            }
            Endpoint.pumpUntil(() -> held.size() == 300, 5_000, "300 held back", caller, listener);
            Calls.tap(listener).onReceive = null;
            List<byte[]> shuffled = new ArrayList<>(held);
            Collections.shuffle(shuffled, new Random(9));
            for (byte[] d : shuffled) {
                Calls.tap(listener).inject(d);
                listener.poll();
            }
            assertEquals(300, listener.received.size());
            Set<Integer> numbers = new HashSet<>();
            for (byte[] p : listener.received) {
                numbers.add(ByteBuffer.wrap(p).getInt());
            }
            assertEquals(300, numbers.size(), "each exactly once");
            for (byte[] d : shuffled) {
                Calls.tap(listener).inject(d);
                listener.poll();
            }
            assertEquals(300, listener.received.size());
            assertEquals(300, listener.transport.rejectedCount(Rejection.REPLAYED));
        }
    }

    @Test
    void shouldNotLetReplayedHandshakeMessagesDisturbTheCall() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
        Endpoint caller = pair[0];
        Endpoint listener = pair[1];
        try (caller; listener) {
            Calls.awaitSecured(caller, listener);
            caller.send(numbered(1));
            Endpoint.pumpUntil(() -> listener.received.size() == 1, 5_000, "first", caller, listener);
            byte[] init = TapTransport.ofType(Calls.tap(caller).sent, HandshakeHeader.TYPE_INIT).get(0);
            byte[] last = TapTransport.ofType(Calls.tap(caller).sent, HandshakeHeader.TYPE_FINAL).get(0);
            byte[] response = TapTransport.ofType(Calls.tap(listener).sent, HandshakeHeader.TYPE_RESPONSE).get(0);
            for (int i = 0; i < 20; i++) {
                Calls.tap(listener).inject(init);
                Calls.tap(listener).inject(last);
                Calls.tap(caller).inject(response);
                Endpoint.pumpFor(1, caller, listener);
            }
            assertEquals(20, listener.transport.rejectedCount(Rejection.REPLAYED), "each replayed FINAL");
            // The caller also gets (and rejects) the listener's answers to the replayed INITs it let through.
            assertEquals(20 + listener.transport.handshakesAnswered() - 1,
                    caller.transport.rejectedCount(Rejection.UNAUTHENTICATED), "each replayed RESPONSE");
            assertTrue(listener.transport.rejectedCount(Rejection.RATE_LIMITED) > 0, "replayed INITs hit the limit");
            assertEquals(1, listener.transport.handshakesCompleted(), "no new session from replays");
            assertEquals(1, caller.transport.handshakesCompleted());
            caller.send(numbered(2));
            listener.send(numbered(3));
            Endpoint.pumpUntil(() -> listener.received.size() == 2 && caller.received.size() == 1, 5_000,
                    "the call goes on", caller, listener);
            assertArrayEquals(numbered(2), listener.received.get(1));
        }
    }
}
