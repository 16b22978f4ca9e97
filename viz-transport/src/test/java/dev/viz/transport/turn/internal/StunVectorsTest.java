package dev.viz.transport.turn.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The STUN codec against the test vectors of RFC 5769: each sample is parsed, its
 * MESSAGE-INTEGRITY and FINGERPRINT verified with the RFC's password, and the same message is built
 * again from its parts, byte for byte (padding aside, which RFC 8489 makes zeros).
 */
class StunVectorsTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    private static final byte[] TRANSACTION_ID = hex("b7e7a701 bc34d686 fa87dfae");

    /** RFC 5769 section 2.1: a Binding request with short-term credentials. */
    static final byte[] SAMPLE_REQUEST = hex("""
            00010058 2112a442 b7e7a701 bc34d686 fa87dfae
            80220010 5354554e 20746573 7420636c 69656e74
            00240004 6e0001ff
            80290008 932ff9b1 51263b36
            00060009 6576746a 3a683676 59202020
            00080014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2
            80280004 e57a3bcf""");
    private static final byte[] SAMPLE_REQUEST_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);

    /** Section 2.2: a success response carrying an IPv4 XOR-MAPPED-ADDRESS. */
    static final byte[] IPV4_RESPONSE = hex("""
            0101003c 2112a442 b7e7a701 bc34d686 fa87dfae
            8022000b 74657374 20766563 746f7220
            00200008 0001a147 e112a643
            00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
            80280004 c07d4c96""");

    /** Section 2.3: the same with an IPv6 address. */
    static final byte[] IPV6_RESPONSE = hex("""
            01010048 2112a442 b7e7a701 bc34d686 fa87dfae
            8022000b 74657374 20766563 746f7220
            00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
            00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41
            80280004 c8fb0b4c""");

    /** Section 2.4: a request with long-term credentials (USERNAME, NONCE, REALM). */
    static final byte[] LONG_TERM_REQUEST = hex("""
            00010060 2112a442 78ad3433 c6ad72c0 29da412e
            00060012 e3839ee3 8388e383 aae38383 e382afe3 82b90000
            0015001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341
            0014000b 6578616d 706c652e 6f726700
            00080014 f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666""");

    @Test
    void shouldVerifyAndRebuildTheSampleRequest() {
        StunMessage m = new StunMessage();
        assertTrue(m.wrap(SAMPLE_REQUEST, 0, SAMPLE_REQUEST.length));
        assertEquals(StunMessage.BINDING, m.method());
        assertEquals(StunMessage.REQUEST, m.messageClass());
        assertEquals("evtj:h6vY", m.text(StunMessage.USERNAME));
        assertEquals("STUN test client", m.text(StunMessage.SOFTWARE));
        assertTrue(m.checkIntegrity(SAMPLE_REQUEST_PASSWORD), "MESSAGE-INTEGRITY with the short-term password");
        assertTrue(m.checkFingerprint());
        assertFalse(m.checkIntegrity("wrong".getBytes(StandardCharsets.UTF_8)));

        byte[] built = new byte[200];
        int n = new StunMessage().begin(built, 0, StunMessage.BINDING, StunMessage.REQUEST, TRANSACTION_ID, 0)
                .put(StunMessage.SOFTWARE, "STUN test client".getBytes(StandardCharsets.UTF_8))
                .put(0x0024, hex("6e0001ff"))
                .put(0x8029, hex("932ff9b1 51263b36"))
                .put(StunMessage.USERNAME, "evtj:h6vY".getBytes(StandardCharsets.UTF_8))
                .putIntegrity(SAMPLE_REQUEST_PASSWORD)
                .putFingerprint()
                .end();
        byte[] expected = SAMPLE_REQUEST.clone();
        // The RFC pads USERNAME with spaces; RFC 8489 writers pad with zeros, and padding is outside the HMAC's meaning
        // but inside its input, so the rebuilt message differs there and in the two checksums only.
        Arrays.fill(expected, 73, 76, (byte) 0);
        byte[] rebuilt = Arrays.copyOf(built, n);
        assertEquals(expected.length, n);
        assertArrayEquals(Arrays.copyOf(expected, 76), Arrays.copyOf(rebuilt, 76));
        StunMessage check = new StunMessage();
        assertTrue(check.wrap(rebuilt, 0, n));
        assertTrue(check.checkIntegrity(SAMPLE_REQUEST_PASSWORD));
        assertTrue(check.checkFingerprint());
    }

    @Test
    void shouldDecodeTheIpv4ResponseAndRebuildItByteForByte() throws Exception {
        StunMessage m = new StunMessage();
        assertTrue(m.wrap(IPV4_RESPONSE, 0, IPV4_RESPONSE.length));
        assertEquals(StunMessage.SUCCESS, m.messageClass());
        assertEquals(StunMessage.BINDING, m.method());
        assertTrue(m.transactionIdEquals(TRANSACTION_ID, 0));
        StunMessage.PeerAddress mapped = new StunMessage.PeerAddress();
        assertTrue(m.xorAddress(StunMessage.XOR_MAPPED_ADDRESS, mapped));
        assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853), mapped.toSocketAddress());
        assertTrue(m.checkIntegrity(SAMPLE_REQUEST_PASSWORD));
        assertTrue(m.checkFingerprint());

        byte[] built = new byte[200];
        StunMessage.PeerAddress address = new StunMessage.PeerAddress();
        address.set(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        int n = new StunMessage().begin(built, 0, StunMessage.BINDING, StunMessage.SUCCESS, TRANSACTION_ID, 0)
                .put(StunMessage.SOFTWARE, "test vector".getBytes(StandardCharsets.UTF_8))
                .putXorAddress(StunMessage.XOR_MAPPED_ADDRESS, address)
                .putIntegrity(SAMPLE_REQUEST_PASSWORD)
                .putFingerprint()
                .end();
        byte[] expected = IPV4_RESPONSE.clone();
        expected[35] = 0; // SOFTWARE's padding byte: a space in the RFC, zero here
        assertArrayEquals(Arrays.copyOf(expected, 36), Arrays.copyOf(built, 36));
        assertArrayEquals(Arrays.copyOfRange(expected, 36, 48), Arrays.copyOfRange(built, 36, 48), "XOR-MAPPED-ADDRESS");
        assertEquals(IPV4_RESPONSE.length, n);
    }

    @Test
    void shouldDecodeTheIpv6Response() throws Exception {
        StunMessage m = new StunMessage();
        assertTrue(m.wrap(IPV6_RESPONSE, 0, IPV6_RESPONSE.length));
        StunMessage.PeerAddress mapped = new StunMessage.PeerAddress();
        assertTrue(m.xorAddress(StunMessage.XOR_MAPPED_ADDRESS, mapped));
        assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853),
                mapped.toSocketAddress());
        assertTrue(m.checkIntegrity(SAMPLE_REQUEST_PASSWORD));
        assertTrue(m.checkFingerprint());

        byte[] built = new byte[200];
        int n = new StunMessage().begin(built, 0, StunMessage.BINDING, StunMessage.SUCCESS, TRANSACTION_ID, 0)
                .put(StunMessage.SOFTWARE, "test vector".getBytes(StandardCharsets.UTF_8))
                .putXorAddress(StunMessage.XOR_MAPPED_ADDRESS, mapped)
                .end();
        assertArrayEquals(Arrays.copyOfRange(IPV6_RESPONSE, 36, 60), Arrays.copyOfRange(built, 36, 60), "XOR-MAPPED-ADDRESS");
        assertEquals(60, n);
    }

    @Test
    void shouldVerifyTheLongTermCredentialRequestWithTheMd5Key() {
        StunMessage m = new StunMessage();
        assertTrue(m.wrap(LONG_TERM_REQUEST, 0, LONG_TERM_REQUEST.length));
        String username = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";
        assertEquals(username, m.text(StunMessage.USERNAME));
        assertEquals("example.org", m.text(StunMessage.REALM));
        assertEquals("f//499k954d6OL34oL9FSTvy64sA", m.text(StunMessage.NONCE));
        // The RFC's password "The\u00ADM\u00AAtr\u2168" after SASLprep is "TheMatrIX".
        byte[] key = StunMessage.longTermKey(username, "example.org", "TheMatrIX");
        assertTrue(m.checkIntegrity(key), "MESSAGE-INTEGRITY with MD5(username:realm:password)");
        assertFalse(m.checkIntegrity(StunMessage.longTermKey(username, "example.org", "TheMatrix")));
        assertFalse(m.checkFingerprint(), "this sample has no FINGERPRINT");

        byte[] built = new byte[200];
        int n = new StunMessage().begin(built, 0, StunMessage.BINDING, StunMessage.REQUEST, LONG_TERM_REQUEST, 8)
                .put(StunMessage.USERNAME, username.getBytes(StandardCharsets.UTF_8))
                .put(StunMessage.NONCE, "f//499k954d6OL34oL9FSTvy64sA".getBytes(StandardCharsets.UTF_8))
                .put(StunMessage.REALM, "example.org".getBytes(StandardCharsets.UTF_8))
                .putIntegrity(key)
                .end();
        assertArrayEquals(LONG_TERM_REQUEST, Arrays.copyOf(built, n), "rebuilt byte for byte (its padding is zeros)");
    }

    @Test
    void shouldSurviveRandomAndMutatedBytesWithoutThrowing() {
        Random random = new Random(5769);
        StunMessage m = new StunMessage();
        StunMessage.PeerAddress address = new StunMessage.PeerAddress();
        byte[] buffer = new byte[256];
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] seed = i % 2 == 0 ? IPV4_RESPONSE : LONG_TERM_REQUEST;
            int length = random.nextInt(Math.min(buffer.length, seed.length + 8) + 1);
            System.arraycopy(seed, 0, buffer, 0, Math.min(length, seed.length));
            for (int flips = random.nextInt(4); flips >= 0; flips--) {
                buffer[random.nextInt(Math.max(1, length))] = (byte) random.nextInt(256);
            }
            if (m.wrap(buffer, 0, length)) {
                accepted++;
                m.method();
                m.errorCode();
                m.xorAddress(StunMessage.XOR_MAPPED_ADDRESS, address);
                m.checkIntegrity(SAMPLE_REQUEST_PASSWORD);
                m.checkFingerprint();
                m.text(StunMessage.USERNAME);
            }
        }
        System.out.println("mutated STUN messages: " + accepted + " of 200000 well-formed enough to read, none threw");
    }

    @Test
    void shouldRejectMalformedMessagesWithoutThrowing() {
        StunMessage m = new StunMessage();
        for (int cut = 0; cut < IPV4_RESPONSE.length; cut++) {
            assertFalse(m.wrap(IPV4_RESPONSE, 0, cut), "truncated to " + cut);
        }
        byte[] lying = IPV4_RESPONSE.clone();
        lying[3] = (byte) 0xF0; // a message length past the datagram
        assertFalse(m.wrap(lying, 0, lying.length));
        byte[] attributeOverrun = IPV4_RESPONSE.clone();
        attributeOverrun[23] = (byte) 0xFF; // SOFTWARE claims 255 bytes
        assertFalse(m.wrap(attributeOverrun, 0, attributeOverrun.length));
        byte[] flipped = IPV4_RESPONSE.clone();
        flipped[40] ^= 1;
        assertTrue(m.wrap(flipped, 0, flipped.length));
        assertFalse(m.checkIntegrity(SAMPLE_REQUEST_PASSWORD), "a flipped bit fails MESSAGE-INTEGRITY");
        assertFalse(m.checkFingerprint(), "and FINGERPRINT");
    }
}
