package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.secure.internal.DataHeader;
import dev.viz.transport.secure.internal.HandshakeHeader;
import dev.viz.transport.udp.UdpTransport;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Handshakes and data over real UDP sockets on loopback: codes, padding, roles, overhead. */
@Timeout(60)
class SecureCallTest {
    private final Identity callerId = Identity.generate();
    private final Identity listenerId = Identity.generate();

    @Test
    void shouldSecureACallAndShowTheSameCodeAndBothKeysOnBothSides() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
        Endpoint caller = pair[0];
        Endpoint listener = pair[1];
        try (caller; listener) {
            Calls.awaitSecured(caller, listener);
            assertEquals(SecureTransport.Role.INITIATOR, caller.transport.role());
            assertEquals(SecureTransport.Role.RESPONDER, listener.transport.role());
            assertNotNull(caller.lastCode());
            assertTrue(caller.lastCode().matches("\\d{3} \\d{3}"), caller.lastCode());
            assertEquals(caller.lastCode(), listener.lastCode(), "both sides show the same code");
            assertEquals(listenerId.fingerprint(), caller.transport.peerFingerprint());
            assertEquals(callerId.fingerprint(), listener.transport.peerFingerprint());
            assertTrue(caller.transport.isSecure());
            assertEquals(1, caller.readyEvents);
            assertEquals(1, listener.readyEvents);

            byte[] hello = "hello over noise".getBytes();
            assertEquals(hello.length, caller.send(hello));
            Endpoint.pumpUntil(() -> listener.received.size() == 1, 5_000, "payload", caller, listener);
            assertArrayEquals(hello, listener.received.get(0));
            byte[] answer = new byte[1100];
            new Random(7).nextBytes(answer);
            assertEquals(answer.length, listener.send(answer));
            Endpoint.pumpUntil(() -> caller.received.size() == 1, 5_000, "answer", caller, listener);
            assertArrayEquals(answer, caller.received.get(0));
        }
    }

    @Test
    void shouldHideThePayloadAndAddOnly26BytesByDefault() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
        Endpoint caller = pair[0];
        Endpoint listener = pair[1];
        try (caller; listener) {
            Calls.awaitSecured(caller, listener);
            TapTransport wire = Calls.tap(caller);
            wire.sent.clear();
            byte[] secret = "the launch code is 0000".getBytes();
            caller.send(secret);
            caller.send(new byte[1131]); // a batch at the 1200-byte default: 8 constant-bitrate frames of 140 bytes and 11 bytes of headers
            assertEquals(2, wire.sent.size());
            assertFalse(contains(wire.sent.get(0), "launch".getBytes()), "the payload is not visible on the wire");
            assertEquals(secret.length + SecureTransport.OVERHEAD_BYTES, wire.sent.get(0).length);
            assertEquals(1131 + 26, wire.sent.get(1).length);
            Endpoint.pumpUntil(() -> listener.received.size() == 2, 5_000, "two payloads", caller, listener);
            assertArrayEquals(secret, listener.received.get(0));
        }
    }

    @Test
    void shouldPadToTheBucketWhenAskedSoControlPayloadsLookAlike() throws Exception {
        Endpoint[] pair = Calls.udp(b -> b.identity(callerId).paddingBucketBytes(64), Calls.with(listenerId));
        Endpoint caller = pair[0];
        Endpoint listener = pair[1];
        try (caller; listener) {
            Calls.awaitSecured(caller, listener);
            TapTransport wire = Calls.tap(caller);
            wire.sent.clear();
            byte[] secret = "the launch code is 0000".getBytes();
            caller.send(secret);
            caller.send(new byte[] {0x12});
            caller.send(new byte[] {0x13, 0, 0, 0, 1});
            caller.send(new byte[200]);
            assertEquals(4, wire.sent.size());
            for (byte[] datagram : wire.sent) {
                assertEquals(DataHeader.TYPE, datagram[0]);
                assertEquals(0, (datagram.length - DataHeader.LENGTH - 16) % 64,
                        "padded plaintext is a multiple of the bucket: " + datagram.length);
                assertFalse(contains(datagram, "launch".getBytes()), "the payload is not visible on the wire");
            }
            // A keepalive (1 byte), a bye (5 bytes) and a 23-byte payload cannot be told apart by length.
            assertEquals(wire.sent.get(0).length, wire.sent.get(1).length);
            assertEquals(wire.sent.get(1).length, wire.sent.get(2).length);
            assertEquals(9 + 64 + 16, wire.sent.get(1).length);
            assertEquals(9 + 256 + 16, wire.sent.get(3).length);
            Endpoint.pumpUntil(() -> listener.received.size() == 4, 5_000, "four payloads", caller, listener);
            assertArrayEquals(secret, listener.received.get(0));
            assertArrayEquals(new byte[200], listener.received.get(3));
        }
    }

    @Test
    void shouldSendEveryDatagramAtFullSizeWithTheLargestBucket() throws Exception {
        Endpoint[] pair = Calls.udp(b -> b.identity(callerId).paddingBucketBytes(65_536), Calls.with(listenerId));
        Endpoint caller = pair[0];
        Endpoint listener = pair[1];
        try (caller; listener) {
            Calls.awaitSecured(caller, listener);
            TapTransport wire = Calls.tap(caller);
            wire.sent.clear();
            caller.send(new byte[1]);
            caller.send(new byte[caller.transport.maxPayloadBytes()]);
            assertEquals(UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES, wire.sent.get(0).length);
            assertEquals(UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES, wire.sent.get(1).length);
            Endpoint.pumpUntil(() -> listener.received.size() == 2, 5_000, "both", caller, listener);
            assertEquals(1, listener.received.get(0).length);
        }
    }

    @Test
    void shouldTakeItsOverheadOffTheWrappedLimit() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
        try (Endpoint caller = pair[0]; Endpoint listener = pair[1]) {
            assertEquals(UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES - SecureTransport.OVERHEAD_BYTES, caller.transport.maxPayloadBytes());
            assertEquals(1174, caller.transport.maxPayloadBytes());
            assertEquals(Transport.NOT_READY, caller.send(new byte[10]), "nothing is sent before the handshake");
            Calls.awaitSecured(caller, listener);
            assertEquals(Transport.ERROR_TOO_LARGE, caller.send(new byte[1175]));
            assertEquals(1174, caller.send(new byte[1174]));
        }
    }

    @Test
    void shouldSendHandshakeDatagramsOfTheDocumentedSizes() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
        try (Endpoint caller = pair[0]; Endpoint listener = pair[1]) {
            Calls.awaitSecured(caller, listener);
            byte[] init = TapTransport.ofType(Calls.tap(caller).sent, HandshakeHeader.TYPE_INIT).get(0);
            byte[] response = TapTransport.ofType(Calls.tap(listener).sent, HandshakeHeader.TYPE_RESPONSE).get(0);
            byte[] last = TapTransport.ofType(Calls.tap(caller).sent, HandshakeHeader.TYPE_FINAL).get(0);
            assertEquals(110, init.length);
            assertEquals(109, response.length);
            assertEquals(73, last.length);
            assertTrue(init.length >= response.length, "no amplification");
        }
    }

    @Test
    void shouldResolveTwoCallersIntoOneHandshakeOverASymmetricTransport() throws Exception {
        dev.viz.transport.loopback.LoopbackTransport[] pair = dev.viz.transport.loopback.LoopbackTransport.pair();
        Endpoint a = Endpoint.open("a", SecureTransport.wrap(pair[0]).identity(callerId), pair[0]);
        Endpoint b = Endpoint.open("b", SecureTransport.wrap(pair[1]).identity(listenerId), pair[1]);
        try (a; b) {
            Calls.awaitSecured(a, b);
            assertNotEquals(a.transport.role(), b.transport.role(), "exactly one side answered");
            assertEquals(a.lastCode(), b.lastCode());
        }
    }

    @Test
    void shouldMeasureHandshakeTimeOnLoopback() throws Exception {
        // A figure for docs/security.md, not a speed assertion: median of 15 full handshakes over UDP.
        long[] micros = new long[15];
        for (int i = 0; i < micros.length; i++) {
            long start = System.nanoTime();
            Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
            try (Endpoint caller = pair[0]; Endpoint listener = pair[1]) {
                Calls.awaitSecured(caller, listener);
                micros[i] = (System.nanoTime() - start) / 1_000;
            }
        }
        Arrays.sort(micros);
        System.out.printf("secure layer: handshake on loopback UDP, open to both ready: median %.2f ms, min %.2f ms"
                + " (15 runs; includes each side's Argon2id verification code)%n", micros[7] / 1e3, micros[0] / 1e3);
        assertTrue(micros[7] > 0);
    }

    @Test
    void shouldGiveNoCodeBeforeTheHandshake() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), Calls.with(listenerId));
        try (Endpoint caller = pair[0]; Endpoint listener = pair[1]) {
            assertNull(caller.transport.verificationCode());
            assertNull(listener.transport.peerFingerprint());
        }
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
