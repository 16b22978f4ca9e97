package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.viz.audio.ZstdCompressor;
import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.batch.FrameBatcher;
import dev.viz.core.wire.PayloadHeader;
import dev.viz.core.wire.ReceiverReport;
import dev.viz.transport.secure.internal.HandshakeHeader;
import dev.viz.transport.secure.internal.HandshakePattern;
import dev.viz.transport.secure.internal.HandshakeState;
import dev.viz.transport.secure.internal.KeyPair;
import dev.viz.transport.secure.internal.PacketCipher;
import dev.viz.transport.secure.internal.PacketKey;
import dev.viz.transport.secure.internal.SecretStretcher;
import dev.viz.transport.secure.internal.Sodium;
import dev.viz.transport.secure.internal.VerificationCode;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test vectors of Viz's own protocol, {@code docs/test-vectors.json} and the values quoted in
 * {@code docs/test-vectors.md}, regenerated from the code on every build so they can never drift:
 * handshakes with fixed static and ephemeral keys (XX and XXpsk3) built exactly as the secure layer
 * builds its datagrams, data datagrams with their plaintext payloads, the shared-secret stretching,
 * the verification code and fingerprint derivations, and session payloads (an audio batch with
 * redundancy, a receiver report carrying a batch, keepalive and bye).
 *
 * <p>A second test plays the initiator's side by hand, from the documented construction alone,
 * against a real {@link SecureTransport} responder over loopback UDP: the document is enough to
 * interoperate.
 *
 * <p>To regenerate after a deliberate protocol change: {@code mvn -pl viz-transport -am test
 * -Dtest=ProtocolVectorsTest -Dsurefire.failIfNoSpecifiedTests=false -Dviz.writeVectors=true},
 * then update the values quoted in the Markdown page (the test names any that are missing).
 */
@Timeout(60)
class ProtocolVectorsTest {
    /** From the module directory (where Maven runs the tests) to the repository's docs. */
    static final Path VECTORS = Path.of("..", "docs", "test-vectors.json");
    static final Path PAGE = Path.of("..", "docs", "test-vectors.md");
    static final HexFormat HEX = HexFormat.of();
    static final byte[] PROLOGUE = HandshakeHeader.PROLOGUE.getBytes(StandardCharsets.US_ASCII);
    static final String SECRET = "correct horse battery staple";
    static final int INITIATOR_INDEX = 0x11223344;
    static final int RESPONDER_INDEX = 0x55667788;

    static byte[] psk;

    @BeforeAll
    static void stretchSecret() {
        Sodium.ensureAvailable();
        psk = SecretStretcher.psk(SECRET.toCharArray());
    }

    /** 32 bytes {@code first, first + 1, ...}: the fixed private keys of the vectors. */
    static byte[] counting(int first) {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (first + i);
        }
        return key;
    }

    static final byte[] INITIATOR_STATIC = counting(0x01);
    static final byte[] RESPONDER_STATIC = counting(0x21);
    static final byte[] INITIATOR_EPHEMERAL = counting(0x41);
    static final byte[] RESPONDER_EPHEMERAL = counting(0x61);

    @Test
    void shouldMatchTheVectorsInDocs() throws IOException {
        String generated = Json.write(vectors());
        if (Boolean.getBoolean("viz.writeVectors")) {
            Files.writeString(VECTORS, generated, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(VECTORS), "the vectors file " + VECTORS.toAbsolutePath() + " exists");
        assertEquals(Files.readString(VECTORS, StandardCharsets.UTF_8), generated,
                "docs/test-vectors.json as the code makes it now (a protocol change? see this test's Javadoc)");

        // Every hex value and code in the JSON is quoted in the Markdown page, so it cannot drift either.
        String page = Files.readString(PAGE, StandardCharsets.UTF_8).replaceAll("\\s+", "");
        List<String> missing = new ArrayList<>();
        Matcher values = Pattern.compile("\"([^\"]+)\": \"([^\"]+)\"").matcher(generated);
        while (values.find()) {
            String value = values.group(2).replaceAll("\\s+", "");
            boolean quotable = !values.group(1).equals("what") && !values.group(1).equals("description")
                    && value.length() >= 6;
            if (quotable && !page.contains(value)) {
                missing.add(values.group(1) + " = " + values.group(2));
            }
        }
        assertTrue(missing.isEmpty(), "values of docs/test-vectors.json not quoted in docs/test-vectors.md: " + missing);
    }

    Map<String, Object> vectors() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("description", "Viz protocol test vectors: regenerated and compared by ProtocolVectorsTest. "
                + "Hex is lower case; see docs/test-vectors.md.");
        all.put("keys", keys());
        all.put("sharedSecret", sharedSecret());
        all.put("verificationCodeSalt", HEX.formatHex(Sodium.blake2b(
                "viz secure v1 verification code salt".getBytes(StandardCharsets.US_ASCII), 16)));
        all.put("handshakeXX", handshake(HandshakePattern.XX, HandshakeHeader.MODE_XX).json);
        all.put("handshakeXXpsk3", handshake(HandshakePattern.XX_PSK3, HandshakeHeader.MODE_XX_PSK3).json);
        all.put("session", sessionPayloads());
        return all;
    }

    static Map<String, Object> keys() {
        Map<String, Object> keys = new LinkedHashMap<>();
        put(keys, "initiatorStatic", INITIATOR_STATIC);
        put(keys, "responderStatic", RESPONDER_STATIC);
        put(keys, "initiatorEphemeral", INITIATOR_EPHEMERAL);
        put(keys, "responderEphemeral", RESPONDER_EPHEMERAL);
        return keys;
    }

    private static void put(Map<String, Object> keys, String name, byte[] privateKey) {
        byte[] publicKey = KeyPair.fromPrivate(privateKey).publicKey();
        Map<String, Object> pair = new LinkedHashMap<>();
        pair.put("private", HEX.formatHex(privateKey));
        pair.put("public", HEX.formatHex(publicKey));
        pair.put("fingerprint", Identity.fingerprintOf(publicKey));
        keys.put(name, pair);
    }

    static Map<String, Object> sharedSecret() {
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("secret", SECRET);
        secret.put("salt", HEX.formatHex(Arrays.copyOf(
                Sodium.blake2b(SecretStretcher.SALT_LABEL.getBytes(StandardCharsets.US_ASCII), 64), 16)));
        secret.put("psk", HEX.formatHex(psk));
        return secret;
    }

    /** A handshake built exactly as SecureLayer builds its datagrams, with the fixed keys and indexes. */
    static final class Transcript {
        final Map<String, Object> json = new LinkedHashMap<>();
        byte[] init;
        byte[] response;
        byte[] fin;
        byte[] confirm;
        byte[] initiatorToResponderKey;
        byte[] responderToInitiatorKey;
    }

    static Transcript handshake(HandshakePattern pattern, byte mode) {
        byte[][] psks = mode == HandshakeHeader.MODE_XX_PSK3 ? new byte[][] {psk} : new byte[0][];
        HandshakeState initiator = new HandshakeState(pattern, true, PROLOGUE, KeyPair.fromPrivate(INITIATOR_STATIC),
                KeyPair.fromPrivate(INITIATOR_EPHEMERAL), null, null, psks);
        HandshakeState responder = new HandshakeState(pattern, false, PROLOGUE, KeyPair.fromPrivate(RESPONDER_STATIC),
                KeyPair.fromPrivate(RESPONDER_EPHEMERAL), null, null, psks);
        Transcript t = new Transcript();

        byte[] initPayload = HandshakeHeader.initPayload(mode, INITIATOR_INDEX);
        byte[] message = initiator.writeMessage(initPayload);
        t.init = new byte[HandshakeHeader.INIT_LENGTH];
        t.init[0] = HandshakeHeader.TYPE_INIT;
        t.init[1] = mode;
        System.arraycopy(message, 0, t.init, HandshakeHeader.INIT_NOISE_OFFSET, message.length);
        assertArrayEquals(initPayload, responder.readMessage(Arrays.copyOfRange(t.init, 2, t.init.length)));

        byte[] responsePayload = HandshakeHeader.responsePayload(RESPONDER_INDEX);
        message = responder.writeMessage(responsePayload);
        t.response = new byte[HandshakeHeader.RESPONSE_LENGTH];
        t.response[0] = HandshakeHeader.TYPE_RESPONSE;
        HandshakeHeader.putInt(t.response, 1, INITIATOR_INDEX);
        System.arraycopy(message, 0, t.response, HandshakeHeader.RESPONSE_NOISE_OFFSET, message.length);
        assertArrayEquals(responsePayload, initiator.readMessage(Arrays.copyOfRange(t.response, 5, t.response.length)));

        byte[] finalPayload = HandshakeHeader.payload(HandshakeHeader.FINAL_PAYLOAD_LENGTH);
        message = initiator.writeMessage(finalPayload);
        t.fin = new byte[HandshakeHeader.FINAL_LENGTH];
        t.fin[0] = HandshakeHeader.TYPE_FINAL;
        HandshakeHeader.putInt(t.fin, 1, RESPONDER_INDEX);
        System.arraycopy(message, 0, t.fin, HandshakeHeader.FINAL_NOISE_OFFSET, message.length);
        assertArrayEquals(finalPayload, responder.readMessage(Arrays.copyOfRange(t.fin, 5, t.fin.length)));

        assertTrue(initiator.isComplete() && responder.isComplete());
        byte[] h = initiator.handshakeHash();
        assertArrayEquals(h, responder.handshakeHash());
        assertArrayEquals(RESPONDER_STATIC_PUBLIC(), initiator.remoteStatic());
        t.initiatorToResponderKey = initiator.sender().key();
        t.responderToInitiatorKey = initiator.receiver().key();
        assertArrayEquals(t.initiatorToResponderKey, responder.receiver().key());
        assertArrayEquals(t.responderToInitiatorKey, responder.sender().key());

        t.json.put("protocolName", pattern.protocolName());
        t.json.put("prologue", HEX.formatHex(PROLOGUE));
        t.json.put("initiatorIndex", String.format("%08x", INITIATOR_INDEX));
        t.json.put("responderIndex", String.format("%08x", RESPONDER_INDEX));
        t.json.put("initPayload", HEX.formatHex(initPayload));
        t.json.put("init", HEX.formatHex(t.init));
        t.json.put("responsePayload", HEX.formatHex(responsePayload));
        t.json.put("response", HEX.formatHex(t.response));
        t.json.put("finalPayload", HEX.formatHex(finalPayload));
        t.json.put("final", HEX.formatHex(t.fin));
        t.json.put("handshakeHash", HEX.formatHex(h));
        t.json.put("initiatorToResponderKey", HEX.formatHex(t.initiatorToResponderKey));
        t.json.put("responderToInitiatorKey", HEX.formatHex(t.responderToInitiatorKey));
        t.json.put("verificationCode", verificationCode(h));

        // Data datagrams: the responder's confirmation, then payloads each way.
        List<Object> data = new ArrayList<>();
        t.confirm = data(data, "responder confirms (empty payload)", t.responderToInitiatorKey, INITIATOR_INDEX, 0,
                new byte[0], 1);
        data(data, "initiator keepalive", t.initiatorToResponderKey, RESPONDER_INDEX, 0, keepalive(), 1);
        data(data, "initiator bye, last sequence 7", t.initiatorToResponderKey, RESPONDER_INDEX, 1, bye(7), 1);
        data(data, "responder keepalive, padding bucket 16", t.responderToInitiatorKey, INITIATOR_INDEX, 1,
                keepalive(), 16);
        t.json.put("data", data);
        return t;
    }

    private static byte[] RESPONDER_STATIC_PUBLIC() {
        return KeyPair.fromPrivate(RESPONDER_STATIC).publicKey();
    }

    /** The derivation of docs/security.md step by step, checked against {@link VerificationCode}. */
    static Map<String, Object> verificationCode(byte[] handshakeHash) {
        byte[] salt = Sodium.blake2b("viz secure v1 verification code salt".getBytes(StandardCharsets.US_ASCII), 16);
        byte[] stretched = Sodium.argon2id(handshakeHash, salt, 16, 1, 16L << 20);
        long first64 = 0;
        for (int i = 0; i < 8; i++) {
            first64 = first64 << 8 | (stretched[i] & 0xFF);
        }
        long code = Long.remainderUnsigned(first64, 1_000_000L);
        String text = String.format("%03d %03d", code / 1000, code % 1000);
        assertEquals(VerificationCode.of(handshakeHash), text, "the documented derivation is the code's");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("argon2idOutput", HEX.formatHex(stretched));
        json.put("first64BitsUnsigned", Long.toUnsignedString(first64));
        json.put("code", text);
        return json;
    }

    static byte[] data(List<Object> out, String what, byte[] key, int receiverIndex, long counter, byte[] payload,
            int bucket) {
        int padded = (payload.length + 1 + bucket - 1) / bucket * bucket;
        PacketCipher cipher = new PacketCipher(1400);
        byte[] datagram = new byte[1400];
        int length = cipher.seal(new PacketKey(key.clone()), receiverIndex, counter, payload, 0, payload.length, padded,
                datagram);
        datagram = Arrays.copyOf(datagram, length);
        byte[] opened = new byte[1400];
        int n = new PacketCipher(1400).open(new PacketKey(key.clone()), counter, datagram, length, opened, 0, 1400);
        assertArrayEquals(payload, Arrays.copyOf(opened, n));
        byte[] plaintext = Arrays.copyOf(payload, padded);
        plaintext[payload.length] = (byte) 0x80;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("what", what);
        json.put("receiverIndex", String.format("%08x", receiverIndex));
        json.put("counter", Long.toString(counter));
        json.put("payload", HEX.formatHex(payload));
        json.put("paddedPlaintext", HEX.formatHex(plaintext));
        json.put("datagram", HEX.formatHex(datagram));
        out.add(json);
        return datagram;
    }

    static byte[] keepalive() {
        return new byte[] {PayloadHeader.encode(PayloadHeader.KIND_KEEPALIVE)};
    }

    static byte[] bye(int lastSequence) {
        byte[] bye = new byte[PayloadHeader.BYE_LENGTH];
        bye[0] = PayloadHeader.encode(PayloadHeader.KIND_BYE);
        PayloadHeader.putInt(bye, 1, lastSequence);
        return bye;
    }

    /** Deterministic stand-ins for Opus packets: bytes that do not compress. */
    static byte[] frame(int sequence, int length) {
        byte[] seed = ("frame " + sequence).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[length];
        byte[] block = Sodium.blake2b(seed, 64);
        for (int i = 0; i < length; i++) {
            if (i % 64 == 0 && i > 0) {
                block = Sodium.blake2b(block, 64);
            }
            out[i] = block[i % 64];
        }
        return out;
    }

    static Map<String, Object> sessionPayloads() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("keepalive", HEX.formatHex(keepalive()));
        json.put("bye", HEX.formatHex(bye(0x2a)));

        AudioFormat format = AudioFormat.mono48k(40);
        // A batch of 4 frames from sequence 100 (speech, one silent, speech) with 2 redundant copies of 98 and 99.
        byte[] batch = new byte[1400];
        int batchLength;
        try (ZstdCompressor zstd = new ZstdCompressor()) {
            FrameBatcher batcher = new FrameBatcher();
            batcher.open(format, 4, 1374 - ReceiverReport.LENGTH, zstd);
            int[] lengths = {20, 0, 20, 12};
            for (int i = 0; i < 4; i++) {
                assertEquals(Batcher.APPENDED, batcher.append(100 + i, frame(100 + i, lengths[i]), 0, lengths[i]));
            }
            assertEquals(Batcher.APPENDED, batcher.appendRedundant(99, frame(1099, 6), 0, 6));
            assertEquals(Batcher.APPENDED, batcher.appendRedundant(98, frame(1098, 5), 0, 5));
            batchLength = batcher.flush(batch, 0);
        }
        Map<String, Object> audio = new LinkedHashMap<>();
        audio.put("what", "40 ms frames 100..103 of 20, 0 (silence), 20 and 12 bytes; redundant copies of 98"
                + " (5 bytes) and 99 (6 bytes); frames area stored (compressor flag 0)");
        for (int i = 0; i < 4; i++) {
            audio.put("frame" + (100 + i), HEX.formatHex(frame(100 + i, new int[] {20, 0, 20, 12}[i])));
        }
        audio.put("copy98", HEX.formatHex(frame(1098, 5)));
        audio.put("copy99", HEX.formatHex(frame(1099, 6)));
        audio.put("payload", HEX.formatHex(batch, 0, batchLength));
        json.put("audioBatchRedundant", audio);

        // A uniform batch whose frames area zstd does shrink (flag 1): what a receiver must accept.
        byte[] uniform = new byte[1400];
        int uniformLength;
        try (ZstdCompressor zstd = new ZstdCompressor()) {
            FrameBatcher batcher = new FrameBatcher();
            batcher.open(format, 8, 1374, zstd);
            byte[] repeated = new byte[40];
            Arrays.fill(repeated, (byte) 0x5a);
            for (int i = 0; i < 8; i++) {
                batcher.append(200 + i, repeated, 0, repeated.length);
            }
            uniformLength = batcher.flush(uniform, 0);
        }
        Map<String, Object> compressed = new LinkedHashMap<>();
        compressed.put("what", "8 uniform 40 ms frames 200..207 of 40 bytes 0x5a each; frames area as one zstd"
                + " frame (compressor flag 1; zstd 1.5.7 level 3 made it, another compressor may make other bytes)");
        compressed.put("payload", HEX.formatHex(uniform, 0, uniformLength));
        json.put("audioBatchCompressed", compressed);

        // A receiver report with a batch after it (BATCH_FOLLOWS), the batch without a compressor flag byte
        // would not be Viz's default, so the same zstd compressor frames it.
        byte[] report = new byte[1400];
        ReceiverReport.write(report, 0, true, 5_000_000L, 4_000_000L, 1_500L, 20_000L, 3L, 99L, 12_345L);
        int followingLength;
        try (ZstdCompressor zstd = new ZstdCompressor()) {
            FrameBatcher batcher = new FrameBatcher();
            batcher.open(format, 2, 1374 - ReceiverReport.LENGTH, zstd);
            batcher.append(104, frame(104, 10), 0, 10);
            batcher.append(105, frame(105, 10), 0, 10);
            followingLength = batcher.flush(report, ReceiverReport.LENGTH);
        }
        assertTrue(ReceiverReport.isValid(report, 0, ReceiverReport.LENGTH + followingLength));
        Map<String, Object> withBatch = new LinkedHashMap<>();
        withBatch.put("what", "report: timestamp 5000000 us, echoed 4000000 us, echo delay 1500 us, loss 20000 ppm,"
                + " 3 frames lost, highest sequence 99, jitter 12345 us; then a batch of frames 104 and 105"
                + " (10 bytes each, uniform, stored)");
        withBatch.put("frame104", HEX.formatHex(frame(104, 10)));
        withBatch.put("frame105", HEX.formatHex(frame(105, 10)));
        withBatch.put("payload", HEX.formatHex(report, 0, ReceiverReport.LENGTH + followingLength));
        json.put("receiverReportWithBatch", withBatch);

        byte[] alone = new byte[ReceiverReport.LENGTH];
        ReceiverReport.write(alone, 0, false, 7_000_000L, 0L, 0L, ReceiverReport.LOSS_UNKNOWN, 0L, 0L, 0L);
        Map<String, Object> reportAlone = new LinkedHashMap<>();
        reportAlone.put("what", "report alone: timestamp 7000000 us, nothing to echo, loss unknown (nothing expected),"
                + " no frame lost, no frame received (highest sequence 0), jitter 0");
        reportAlone.put("payload", HEX.formatHex(alone));
        json.put("receiverReportAlone", reportAlone);

        // The same redundant batch read back by the receiving batcher gives the frames and copies quoted.
        try (ZstdCompressor zstd = new ZstdCompressor()) {
            FrameBatcher reader = new FrameBatcher();
            reader.open(format, 4, 1374, zstd);
            List<String> seen = new ArrayList<>();
            int frames = reader.read(batch, 0, batchLength, new Batcher.FrameHandler() {
                @Override
                public void onFrame(long sequence, byte[] frame, int offset, int length) {
                    seen.add(sequence + ":" + HEX.formatHex(frame, offset, offset + length));
                }

                @Override
                public void onRedundantFrame(long sequence, byte[] frame, int offset, int length) {
                    seen.add("copy " + sequence + ":" + HEX.formatHex(frame, offset, offset + length));
                }
            });
            assertEquals(4, frames);
            assertEquals(List.of("copy 98:" + audio.get("copy98"), "copy 99:" + audio.get("copy99"),
                    "100:" + audio.get("frame100"), "101:", "102:" + audio.get("frame102"),
                    "103:" + audio.get("frame103")), seen);
        }
        return json;
    }

    /**
     * The initiator written from the documents alone (Noise state machine plus the datagram layout),
     * against the real responder: INIT, RESPONSE, FINAL, the empty confirmation, then a payload each way.
     */
    @Test
    void shouldCompleteAHandshakeWithTheRealResponderFromTheDocumentedConstruction(@TempDir Path dir) throws Exception {
        Path identityFile = dir.resolve("identity");
        Files.writeString(identityFile, "private-key " + Base64.getEncoder().encodeToString(RESPONDER_STATIC) + "\n");
        Files.setPosixFilePermissions(identityFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        UdpTransport udp = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        try (Endpoint responder = Endpoint.open("listener",
                SecureTransport.wrap(udp).identity(Identity.load(identityFile)).secret(SECRET.toCharArray()), udp);
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.localPort());
            HandshakeState initiator = new HandshakeState(HandshakePattern.XX_PSK3, true, PROLOGUE,
                    KeyPair.fromPrivate(INITIATOR_STATIC), KeyPair.fromPrivate(INITIATOR_EPHEMERAL), null, null, psk);
            byte[] init = new byte[110];
            init[0] = 1;
            init[1] = 1;
            System.arraycopy(initiator.writeMessage(HandshakeHeader.initPayload(HandshakeHeader.MODE_XX_PSK3,
                    INITIATOR_INDEX)), 0, init, 2, 108);
            socket.send(new DatagramPacket(init, init.length, to));

            byte[] response = receive(socket, responder);
            assertEquals(109, response.length);
            assertEquals(2, response[0]);
            assertEquals(INITIATOR_INDEX, HandshakeHeader.getInt(response, 1));
            byte[] responsePayload = initiator.readMessage(Arrays.copyOfRange(response, 5, response.length));
            assertNotNull(responsePayload, "the RESPONSE authenticates");
            assertEquals(1, responsePayload[0], "version 1");
            assertEquals(0, responsePayload[1], "flags 0");
            assertEquals(0, HandshakeHeader.getInt(responsePayload, 0) & 0xFFFF, "caps 0");
            assertArrayEquals(RESPONDER_STATIC_PUBLIC(), initiator.remoteStatic());
            int responderIndex = HandshakeHeader.getInt(responsePayload, 4);

            byte[] fin = new byte[73];
            fin[0] = 3;
            HandshakeHeader.putInt(fin, 1, responderIndex);
            System.arraycopy(initiator.writeMessage(new byte[] {1, 0, 0, 0}), 0, fin, 5, 68);
            socket.send(new DatagramPacket(fin, fin.length, to));

            byte[] confirm = receive(socket, responder);
            assertEquals(26, confirm.length, "an empty DATA: header, marker, tag");
            assertEquals(4, confirm[0]);
            assertEquals(INITIATOR_INDEX, HandshakeHeader.getInt(confirm, 1));
            assertEquals(0, HandshakeHeader.getInt(confirm, 5), "counter 0");
            byte[] opened = new byte[64];
            assertEquals(0, new PacketCipher(1400).open(new PacketKey(initiator.receiver().key()), 0, confirm,
                    confirm.length, opened, 0, opened.length));
            assertEquals(responder.codes.get(0), VerificationCode.of(initiator.handshakeHash()), "same code both sides");

            byte[] payload = bye(7);
            byte[] datagram = new byte[64];
            int n = new PacketCipher(1400).seal(new PacketKey(initiator.sender().key()), responderIndex, 0, payload, 0,
                    payload.length, payload.length + 1, datagram);
            socket.send(new DatagramPacket(datagram, n, to));
            Endpoint.pumpUntil(() -> responder.received.size() == 1, 5_000, "the payload at the responder", responder);
            assertArrayEquals(payload, responder.received.get(0));
        }
    }

    /** The next datagram on {@code socket}, polling the responder meanwhile. */
    private static byte[] receive(DatagramSocket socket, Endpoint responder) throws IOException {
        socket.setSoTimeout(5);
        long deadline = System.nanoTime() + 5_000_000_000L;
        byte[] buffer = new byte[2048];
        while (System.nanoTime() < deadline) {
            responder.poll();
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                return Arrays.copyOf(buffer, packet.getLength());
            } catch (java.net.SocketTimeoutException e) {
                // poll again
            }
        }
        return fail("no answer from the responder within 5 s (" + responder.failure + ", " + responder.warnings + ")");
    }

    /** Just enough JSON for the vectors: objects keep their order, strings are escaped minimally. */
    static final class Json {
        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(value, out, "");
            return out.append('\n').toString();
        }

        @SuppressWarnings("unchecked")
        private static void write(Object value, StringBuilder out, String indent) {
            if (value instanceof Map) {
                out.append("{\n");
                String inner = indent + "  ";
                boolean first = true;
                for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
                    out.append(first ? "" : ",\n").append(inner).append(quote(e.getKey())).append(": ");
                    write(e.getValue(), out, inner);
                    first = false;
                }
                out.append('\n').append(indent).append('}');
            } else if (value instanceof List) {
                out.append("[\n");
                String inner = indent + "  ";
                boolean first = true;
                for (Object item : (List<Object>) value) {
                    out.append(first ? "" : ",\n").append(inner);
                    write(item, out, inner);
                    first = false;
                }
                out.append('\n').append(indent).append(']');
            } else {
                out.append(quote(String.valueOf(value)));
            }
        }

        private static String quote(String text) {
            return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }
}
