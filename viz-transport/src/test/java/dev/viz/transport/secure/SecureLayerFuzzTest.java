package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.viz.core.Transport;
import dev.viz.transport.loopback.LoopbackTransport;
import dev.viz.transport.secure.internal.DataHeader;
import dev.viz.transport.secure.internal.HandshakeHeader;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer (coverage-guided) over the secure layer's datagram parsing and handshake handling: each
 * input is a sequence of datagrams, raw bytes or mutations of genuine handshake and data datagrams,
 * thrown at both ends of an established call. Whatever arrives, nothing is delivered, nothing
 * throws, no new session starts, and the call still carries audio both ways afterwards.
 *
 * <p>{@code mvn verify} fuzzes for {@value #SECONDS} s (the module's {@code fuzz} surefire
 * execution sets {@code JAZZER_FUZZ=1}); without that variable it replays the inputs under
 * {@code src/test/resources/.../SecureLayerFuzzTestInputs}.
 */
class SecureLayerFuzzTest {
    static final int SECONDS = 20;

    private static final class Fixture {
        final LoopbackTransport[] raw = LoopbackTransport.pair();
        final TapTransport callerWire = new TapTransport(raw[0]);
        final TapTransport listenerWire = new TapTransport(raw[1]);
        final Endpoint caller;
        final Endpoint listener;
        final List<byte[]> genuine = new ArrayList<>();
        int sequence;

        Fixture() throws Exception {
            listener = Endpoint.open("listener", SecureTransport.wrap(listenerWire).identity(Identity.generate())
                    .role(SecureTransport.Role.RESPONDER), listenerWire);
            caller = Endpoint.open("caller", SecureTransport.wrap(callerWire).identity(Identity.generate())
                    .role(SecureTransport.Role.INITIATOR), callerWire);
            Calls.awaitSecured(caller, listener);
            caller.send(new byte[] {1, 2, 3});
            listener.send(new byte[700]);
            Endpoint.pumpUntil(() -> !caller.received.isEmpty() && !listener.received.isEmpty(), 5_000, "data",
                    caller, listener);
            genuine.addAll(callerWire.sent);
            genuine.addAll(listenerWire.sent);
            callerWire.recording = false;
            listenerWire.recording = false;
            caller.received.clear();
            listener.received.clear();
        }
    }

    private static Fixture fixture;

    private static Fixture fixture() throws Exception {
        if (fixture == null) {
            fixture = new Fixture();
        }
        return fixture;
    }

    @FuzzTest(maxDuration = SECONDS + "s")
    void shouldDeliverNothingForgedAndKeepTheCall(FuzzedDataProvider data) throws Exception {
        Fixture f = fixture();
        int datagrams = data.consumeInt(1, 12);
        for (int i = 0; i < datagrams && data.remainingBytes() > 0; i++) {
            byte[] datagram;
            switch (data.consumeInt(0, 3)) {
                case 0 -> datagram = data.consumeBytes(data.consumeInt(0, 1400));
                case 1 -> {
                    // A genuine datagram (handshake or data), mutated.
                    datagram = f.genuine.get(data.consumeInt(0, f.genuine.size() - 1)).clone();
                    int edits = data.consumeInt(0, 4);
                    for (int e = 0; e < edits && datagram.length > 0; e++) {
                        datagram[data.consumeInt(0, datagram.length - 1)] ^= data.consumeByte();
                    }
                    if (data.consumeBoolean()) {
                        datagram = java.util.Arrays.copyOf(datagram, data.consumeInt(0, 1400));
                    }
                }
                case 2 -> {
                    // A header of a known type with fuzzed contents of a plausible length.
                    byte type = (byte) data.consumeInt(1, 5);
                    int length = switch (type) {
                        case HandshakeHeader.TYPE_INIT -> HandshakeHeader.INIT_LENGTH;
                        case HandshakeHeader.TYPE_RESPONSE -> HandshakeHeader.RESPONSE_LENGTH;
                        case HandshakeHeader.TYPE_FINAL -> HandshakeHeader.FINAL_LENGTH;
                        case HandshakeHeader.TYPE_NOTICE -> HandshakeHeader.NOTICE_LENGTH;
                        default -> data.consumeInt(DataHeader.MIN_DATAGRAM, 1400);
                    };
                    datagram = java.util.Arrays.copyOf(data.consumeBytes(length), length);
                    datagram[0] = type;
                }
                default -> datagram = f.genuine.get(data.consumeInt(0, f.genuine.size() - 1)).clone(); // a replay
            }
            boolean toListener = data.consumeBoolean();
            Endpoint target = toListener ? f.listener : f.caller;
            Transport from = toListener ? f.raw[0] : f.raw[1];
            if (datagram.length == 0 || from.send(datagram, 0, datagram.length) < 0) {
                continue;
            }
            target.poll();
            assertTrue(target.received.isEmpty(), "a forged or replayed datagram was delivered");
        }
        // The call is untouched: same session, audio both ways.
        f.sequence++;
        byte[] payload = {0x11, (byte) f.sequence, (byte) (f.sequence >> 8)};
        assertEquals(payload.length, f.caller.send(payload));
        assertEquals(payload.length, f.listener.send(payload));
        f.listener.poll();
        f.caller.poll();
        assertEquals(1, f.listener.received.size());
        assertEquals(1, f.caller.received.size());
        assertArrayEquals(payload, f.listener.received.get(0));
        assertArrayEquals(payload, f.caller.received.get(0));
        f.listener.received.clear();
        f.caller.received.clear();
        assertEquals(1, f.listener.transport.handshakesCompleted());
        assertEquals(1, f.caller.transport.handshakesCompleted());
    }
}
