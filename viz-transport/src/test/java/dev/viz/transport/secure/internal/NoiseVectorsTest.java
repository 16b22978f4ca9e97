package dev.viz.transport.secure.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Conformance: every vector of the cacophony file for 25519_ChaChaPoly_BLAKE2b (59 patterns: all
 * fundamental, deferred, one-way and PSK patterns, XX and XXpsk3 among them). For each, both sides
 * run: every handshake and transport message must equal the vector's ciphertext byte for byte, every
 * payload must decrypt, and both sides' handshake hash must equal the vector's.
 */
class NoiseVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String FILE = "/noise/cacophony-25519-chachapoly-blake2b.json";

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> vectors() throws IOException {
        try (InputStream in = NoiseVectorsTest.class.getResourceAsStream(FILE)) {
            assertNotNull(in, FILE + " missing from the test resources");
            Map<String, Object> root = (Map<String, Object>) TestJson.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return (List<Map<String, Object>>) root.get("vectors");
        }
    }

    @TestFactory
    Stream<DynamicTest> shouldReproduceEveryVector() throws IOException {
        return vectors().stream().map(v -> DynamicTest.dynamicTest((String) v.get("protocol_name"), () -> run(v)));
    }

    @Test
    void shouldCoverXxAndXxpsk3AndEveryPatternInTheFile() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> v : vectors()) {
            names.add((String) v.get("protocol_name"));
        }
        assertTrue(names.contains("Noise_XX_25519_ChaChaPoly_BLAKE2b"));
        assertTrue(names.contains("Noise_XXpsk3_25519_ChaChaPoly_BLAKE2b"));
        assertEquals(59, names.size(), "every pattern in the file is run: " + names);
    }

    @Test
    void shouldRejectAHandshakeMessageWithOneFlippedBit() throws IOException {
        Map<String, Object> v = vectors().stream()
                .filter(x -> x.get("protocol_name").equals("Noise_XX_25519_ChaChaPoly_BLAKE2b")).findFirst().orElseThrow();
        HandshakeState initiator = side(v, "init", true);
        HandshakeState responder = side(v, "resp", false);
        responder.readMessage(initiator.writeMessage(new byte[0]));
        byte[] second = responder.writeMessage(new byte[0]);
        for (int bit = 0; bit < second.length * 8; bit += 7) {
            byte[] tampered = second.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            HandshakeState fresh = side(v, "init", true);
            fresh.writeMessage(new byte[0]);
            // A flipped bit in the clear ephemeral key changes every key after it; elsewhere it breaks a tag.
            assertNull(fresh.readMessage(tampered), "bit " + bit);
            assertTrue(fresh.isFailed());
        }
    }

    private static void run(Map<String, Object> v) {
        HandshakePattern pattern = HandshakePattern.forProtocol((String) v.get("protocol_name"));
        HandshakeState initiator = side(v, "init", true);
        HandshakeState responder = side(v, "resp", false);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> messages = (List<Map<String, Object>>) v.get("messages");
        CipherState initiatorSend = null;
        CipherState responderSend = null;
        for (int i = 0; i < messages.size(); i++) {
            byte[] payload = hex(messages.get(i), "payload");
            byte[] expected = hex(messages.get(i), "ciphertext");
            if (i < pattern.messageCount()) {
                HandshakeState writer = i % 2 == 0 ? initiator : responder;
                HandshakeState reader = i % 2 == 0 ? responder : initiator;
                byte[] message = writer.writeMessage(payload);
                assertEquals(HEX.formatHex(expected), HEX.formatHex(message), "handshake message " + i);
                assertArrayEquals(payload, reader.readMessage(message), "payload of handshake message " + i);
                if (i == pattern.messageCount() - 1) {
                    assertTrue(initiator.isComplete() && responder.isComplete());
                    String hash = (String) v.get("handshake_hash");
                    assertEquals(hash, HEX.formatHex(initiator.handshakeHash()), "initiator's handshake hash");
                    assertEquals(hash, HEX.formatHex(responder.handshakeHash()), "responder's handshake hash");
                    initiatorSend = initiator.sender();
                    responderSend = responder.sender();
                    assertArrayEquals(initiatorSend.key(), responder.receiver().key());
                    assertArrayEquals(responderSend.key(), initiator.receiver().key());
                }
            } else {
                // After the handshake, messages keep alternating; one-way patterns only ever go initiator -> responder.
                boolean fromInitiator = pattern.isOneWay() || i % 2 == 0;
                CipherState sender = fromInitiator ? initiatorSend : responderSend;
                CipherState receiver = fromInitiator ? responder.receiver() : initiator.receiver();
                byte[] message = sender.encryptWithAd(new byte[0], payload);
                assertEquals(HEX.formatHex(expected), HEX.formatHex(message), "transport message " + i);
                assertArrayEquals(payload, receiver.decryptWithAd(new byte[0], message), "transport payload " + i);
            }
        }
    }

    private static HandshakeState side(Map<String, Object> v, String who, boolean initiator) {
        HandshakePattern pattern = HandshakePattern.forProtocol((String) v.get("protocol_name"));
        byte[] prologue = hex(v, who + "_prologue");
        KeyPair localStatic = v.containsKey(who + "_static") ? KeyPair.fromPrivate(hex(v, who + "_static")) : null;
        KeyPair ephemeral = v.containsKey(who + "_ephemeral") ? KeyPair.fromPrivate(hex(v, who + "_ephemeral")) : null;
        byte[] remoteStatic = v.containsKey(who + "_remote_static") ? hex(v, who + "_remote_static") : null;
        byte[][] psks = new byte[0][];
        if (v.containsKey(who + "_psks")) {
            @SuppressWarnings("unchecked")
            List<Object> list = (List<Object>) v.get(who + "_psks");
            psks = list.stream().map(p -> HEX.parseHex((String) p)).toArray(byte[][]::new);
        }
        return new HandshakeState(pattern, initiator, prologue, localStatic, ephemeral, remoteStatic, null, psks);
    }

    private static byte[] hex(Map<String, Object> map, String key) {
        return HEX.parseHex((String) map.get(key));
    }
}
