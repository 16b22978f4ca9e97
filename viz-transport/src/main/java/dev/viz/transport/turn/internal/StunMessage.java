package dev.viz.transport.turn.internal;

import dev.viz.transport.internal.SourceKeys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A STUN message (RFC 8489, with the TURN methods and attributes of RFC 8656) read and written in
 * place over a byte array: a flyweight, so a message received or built on the network thread costs
 * no allocation beyond the one {@link Mac} and {@link CRC32} each instance keeps.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |  TYPE_OFFSET, LENGTH_OFFSET
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Magic Cookie (0x2112A442)                   |  COOKIE_OFFSET
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * |                  Transaction ID (96 bits)                     |  TRANSACTION_ID_OFFSET
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Attribute Type        |     Attribute Length (L)      |  then L value bytes, padded to 4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The message type interleaves the class bits C1 (bit 8) and C0 (bit 4) with the 12 method bits.
 * Message Length counts the attribute bytes after the 20-byte header. MESSAGE-INTEGRITY is an
 * HMAC-SHA1 over the message up to it, with the length field covering it; FINGERPRINT is the CRC-32
 * of the message up to it, XOR 0x5354554e, with the length field covering it.
 *
 * <p>One instance per thread: not thread-safe.
 */
public final class StunMessage {
    public static final int HEADER_BYTES = 20;
    public static final int TYPE_OFFSET = 0;
    public static final int LENGTH_OFFSET = 2;
    public static final int COOKIE_OFFSET = 4;
    public static final int TRANSACTION_ID_OFFSET = 8;
    public static final int TRANSACTION_ID_BYTES = 12;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int FINGERPRINT_XOR = 0x5354554e;
    public static final int INTEGRITY_BYTES = 20;

    // Methods (RFC 8489, RFC 8656).
    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;

    // Classes.
    public static final int REQUEST = 0x000;
    public static final int INDICATION = 0x010;
    public static final int SUCCESS = 0x100;
    public static final int ERROR = 0x110;

    // Attributes.
    public static final int MAPPED_ADDRESS = 0x0001;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int CHANNEL_NUMBER = 0x000C;
    public static final int LIFETIME = 0x000D;
    public static final int XOR_PEER_ADDRESS = 0x0012;
    public static final int DATA_ATTRIBUTE = 0x0013;
    public static final int REALM = 0x0014;
    public static final int NONCE = 0x0015;
    public static final int XOR_RELAYED_ADDRESS = 0x0016;
    public static final int REQUESTED_TRANSPORT = 0x0019;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int SOFTWARE = 0x8022;
    public static final int FINGERPRINT = 0x8028;

    /** REQUESTED-TRANSPORT value: UDP (protocol 17) in the first byte. */
    public static final int TRANSPORT_UDP = 17 << 24;

    private static final int ADDRESS_FAMILY_IPV4 = 0x01;
    private static final int ADDRESS_FAMILY_IPV6 = 0x02;

    private final Mac hmac;
    private final CRC32 crc = new CRC32();
    private final byte[] digest = new byte[INTEGRITY_BYTES];
    private byte[] keyBytes;
    private byte[] buffer;
    private int offset;
    private int limit; // reading: end of the message; writing: end of what is written

    public StunMessage() {
        try {
            hmac = Mac.getInstance("HmacSHA1");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this Java runtime", e);
        }
    }

    /**
     * The long-term credential key (RFC 8489 section 9.2.2): MD5(username ":" realm ":" password),
     * the password already processed by OpaqueString (callers pass it as the user wrote it).
     */
    public static byte[] longTermKey(String username, String realm, String password) {
        try {
            return MessageDigest.getInstance("MD5")
                    .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 is missing from this Java runtime", e);
        }
    }

    /** Whether {@code b[off]} can start a STUN message (the two top bits are zero); ChannelData starts with 01. */
    public static boolean looksLikeStun(byte[] b, int off, int length) {
        return length >= HEADER_BYTES && (b[off] & 0xC0) == 0 && readInt(b, off + COOKIE_OFFSET) == MAGIC_COOKIE;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Wraps a received message for reading.
     *
     * @return false (and nothing wrapped) when it is not a well-formed STUN message: too short, a
     *     wrong cookie, a length that is not the datagram's, or attributes that overrun it
     */
    public boolean wrap(byte[] b, int off, int length) {
        if (!looksLikeStun(b, off, length)) {
            return false;
        }
        int bodyLength = readShort(b, off + LENGTH_OFFSET);
        if ((bodyLength & 3) != 0 || HEADER_BYTES + bodyLength != length) {
            return false;
        }
        int p = off + HEADER_BYTES;
        int end = off + length;
        while (p < end) {
            if (end - p < 4) {
                return false;
            }
            int valueLength = readShort(b, p + 2);
            p += 4 + pad4(valueLength);
            if (p > end) {
                return false;
            }
        }
        buffer = b;
        offset = off;
        limit = end;
        return true;
    }

    public int messageType() {
        return readShort(buffer, offset + TYPE_OFFSET);
    }

    public int method() {
        int t = messageType();
        return (t & 0x000F) | (t & 0x00E0) >> 1 | (t & 0x3E00) >> 2;
    }

    public int messageClass() {
        return messageType() & 0x0110;
    }

    /** Total bytes of the message (header included). */
    public int length() {
        return limit - offset;
    }

    public byte[] buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public boolean transactionIdEquals(byte[] id, int idOffset) {
        for (int i = 0; i < TRANSACTION_ID_BYTES; i++) {
            if (buffer[offset + TRANSACTION_ID_OFFSET + i] != id[idOffset + i]) {
                return false;
            }
        }
        return true;
    }

    /** The offset of the first attribute of {@code type}'s value in {@link #buffer()}, or -1. */
    public int find(int type) {
        int p = offset + HEADER_BYTES;
        while (p + 4 <= limit) {
            int t = readShort(buffer, p);
            int l = readShort(buffer, p + 2);
            if (t == type) {
                return p + 4;
            }
            if (t == MESSAGE_INTEGRITY && type != FINGERPRINT) {
                return -1; // only FINGERPRINT may follow MESSAGE-INTEGRITY; anything else is ignored
            }
            p += 4 + pad4(l);
        }
        return -1;
    }

    /** The length of the attribute whose value starts at {@code valueOffset}. */
    public int attributeLength(int valueOffset) {
        return readShort(buffer, valueOffset - 2);
    }

    /** A 32-bit attribute value, or {@code missing} when absent or of another length. */
    public long u32(int type, long missing) {
        int v = find(type);
        return v < 0 || attributeLength(v) != 4 ? missing : readInt(buffer, v) & 0xFFFFFFFFL;
    }

    /** A text attribute (USERNAME, REALM, NONCE, SOFTWARE) as a string, or null; allocates. */
    public String text(int type) {
        int v = find(type);
        return v < 0 ? null : new String(buffer, v, attributeLength(v), StandardCharsets.UTF_8);
    }

    /** The ERROR-CODE attribute's number (e.g. 401), or 0 when absent. */
    public int errorCode() {
        int v = find(ERROR_CODE);
        if (v < 0 || attributeLength(v) < 4) {
            return 0;
        }
        return (buffer[v + 2] & 0x07) * 100 + (buffer[v + 3] & 0xFF);
    }

    /** The ERROR-CODE reason phrase, or "" when none; allocates. */
    public String errorReason() {
        int v = find(ERROR_CODE);
        if (v < 0 || attributeLength(v) <= 4) {
            return "";
        }
        int end = v + attributeLength(v);
        while (end > v + 4 && buffer[end - 1] == 0) {
            end--; // some servers count NUL padding into the reason phrase
        }
        return new String(buffer, v + 4, end - v - 4, StandardCharsets.UTF_8);
    }

    /**
     * Decodes an XOR-*-ADDRESS attribute into {@code into} without allocating.
     *
     * @return false when absent or malformed
     */
    public boolean xorAddress(int type, PeerAddress into) {
        int v = find(type);
        if (v < 0) {
            return false;
        }
        int l = attributeLength(v);
        int family = buffer[v + 1] & 0xFF;
        int port = readShort(buffer, v + 2) ^ (MAGIC_COOKIE >>> 16);
        if (family == ADDRESS_FAMILY_IPV4 && l == 8) {
            for (int i = 0; i < 4; i++) {
                into.ip[i] = (byte) (buffer[v + 4 + i] ^ (MAGIC_COOKIE >>> (24 - 8 * i)));
            }
            into.set(4, port);
            return true;
        }
        if (family == ADDRESS_FAMILY_IPV6 && l == 20) {
            for (int i = 0; i < 16; i++) {
                int mask = i < 4 ? (MAGIC_COOKIE >>> (24 - 8 * i)) : buffer[offset + TRANSACTION_ID_OFFSET + i - 4];
                into.ip[i] = (byte) (buffer[v + 4 + i] ^ mask);
            }
            into.set(16, port);
            return true;
        }
        return false;
    }

    /** Whether the message carries a MESSAGE-INTEGRITY that {@code key} verifies (constant time). */
    public boolean checkIntegrity(byte[] key) {
        int v = find(MESSAGE_INTEGRITY);
        if (v < 0 || attributeLength(v) != INTEGRITY_BYTES) {
            return false;
        }
        int attributeStart = v - 4;
        int savedLength = readShort(buffer, offset + LENGTH_OFFSET);
        writeShort(buffer, offset + LENGTH_OFFSET, attributeStart + 4 + INTEGRITY_BYTES - offset - HEADER_BYTES);
        hmac(key, buffer, offset, attributeStart - offset);
        writeShort(buffer, offset + LENGTH_OFFSET, savedLength);
        int diff = 0;
        for (int i = 0; i < INTEGRITY_BYTES; i++) {
            diff |= digest[i] ^ buffer[v + i];
        }
        return diff == 0;
    }

    /** Whether the message ends with a FINGERPRINT that matches it; false when there is none. */
    public boolean checkFingerprint() {
        int v = find(FINGERPRINT);
        if (v < 0 || attributeLength(v) != 4 || v + 4 != limit) {
            return false;
        }
        crc.reset();
        crc.update(buffer, offset, v - 4 - offset);
        return ((int) crc.getValue() ^ FINGERPRINT_XOR) == readInt(buffer, v);
    }

    // ---------------------------------------------------------------- writing

    /** Starts a message of {@code method | messageClass} in {@code b} at {@code off} with the given transaction id. */
    public StunMessage begin(byte[] b, int off, int method, int messageClass, byte[] transactionId, int idOffset) {
        buffer = b;
        offset = off;
        int type = (method & 0x000F) | (method & 0x0070) << 1 | (method & 0x0F80) << 2 | messageClass;
        writeShort(b, off + TYPE_OFFSET, type);
        writeShort(b, off + LENGTH_OFFSET, 0);
        writeInt(b, off + COOKIE_OFFSET, MAGIC_COOKIE);
        System.arraycopy(transactionId, idOffset, b, off + TRANSACTION_ID_OFFSET, TRANSACTION_ID_BYTES);
        limit = off + HEADER_BYTES;
        return this;
    }

    private int putHeader(int type, int length) {
        writeShort(buffer, limit, type);
        writeShort(buffer, limit + 2, length);
        int value = limit + 4;
        int padded = pad4(length);
        for (int i = length; i < padded; i++) {
            buffer[value + i] = 0;
        }
        limit = value + padded;
        writeShort(buffer, offset + LENGTH_OFFSET, limit - offset - HEADER_BYTES);
        return value;
    }

    public StunMessage put(int type, byte[] value, int valueOffset, int length) {
        int v = putHeader(type, length);
        System.arraycopy(value, valueOffset, buffer, v, length);
        return this;
    }

    public StunMessage put(int type, byte[] value) {
        return put(type, value, 0, value.length);
    }

    public StunMessage putU32(int type, int value) {
        writeInt(buffer, putHeader(type, 4), value);
        return this;
    }

    /** CHANNEL-NUMBER: the number in the first two bytes, RFFU zero. */
    public StunMessage putChannelNumber(int channel) {
        int v = putHeader(CHANNEL_NUMBER, 4);
        writeShort(buffer, v, channel);
        writeShort(buffer, v + 2, 0);
        return this;
    }

    /** An XOR-*-ADDRESS attribute for {@code address}. */
    public StunMessage putXorAddress(int type, PeerAddress address) {
        int v = putHeader(type, address.ipLength == 4 ? 8 : 20);
        buffer[v] = 0;
        buffer[v + 1] = (byte) (address.ipLength == 4 ? ADDRESS_FAMILY_IPV4 : ADDRESS_FAMILY_IPV6);
        writeShort(buffer, v + 2, address.port ^ (MAGIC_COOKIE >>> 16));
        for (int i = 0; i < address.ipLength; i++) {
            int mask = i < 4 ? (MAGIC_COOKIE >>> (24 - 8 * i)) : buffer[offset + TRANSACTION_ID_OFFSET + i - 4];
            buffer[v + 4 + i] = (byte) (address.ip[i] ^ mask);
        }
        return this;
    }

    /** MESSAGE-INTEGRITY over everything written so far, keyed with {@code key}. */
    public StunMessage putIntegrity(byte[] key) {
        int start = limit;
        int v = putHeader(MESSAGE_INTEGRITY, INTEGRITY_BYTES);
        hmac(key, buffer, offset, start - offset);
        System.arraycopy(digest, 0, buffer, v, INTEGRITY_BYTES);
        return this;
    }

    /** FINGERPRINT over everything written so far; the last attribute. */
    public StunMessage putFingerprint() {
        int start = limit;
        int v = putHeader(FINGERPRINT, 4);
        crc.reset();
        crc.update(buffer, offset, start - offset);
        writeInt(buffer, v, (int) crc.getValue() ^ FINGERPRINT_XOR);
        return this;
    }

    /** Ends writing: the message's total length in bytes. */
    public int end() {
        return limit - offset;
    }

    private void hmac(byte[] key, byte[] b, int off, int length) {
        try {
            if (keyBytes != key) {
                hmac.init(new SecretKeySpec(key, "HmacSHA1"));
                keyBytes = key;
            }
            hmac.update(b, off, length);
            hmac.doFinal(digest, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 failed", e);
        }
    }

    // ---------------------------------------------------------------- helpers

    public static int pad4(int length) {
        return (length + 3) & ~3;
    }

    public static int readShort(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    public static int readInt(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    public static void writeShort(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    public static void writeInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    /** A transport address held in place (no {@link InetSocketAddress} per datagram). */
    public static final class PeerAddress {
        final byte[] ip = new byte[16];
        int ipLength;
        int port;

        void set(int ipLength, int port) {
            this.ipLength = ipLength;
            this.port = port;
        }

        public void set(PeerAddress other) {
            System.arraycopy(other.ip, 0, ip, 0, 16);
            ipLength = other.ipLength;
            port = other.port;
        }

        public void set(InetSocketAddress address) {
            byte[] raw = address.getAddress().getAddress();
            System.arraycopy(raw, 0, ip, 0, raw.length);
            ipLength = raw.length;
            port = address.getPort();
        }

        public boolean isSet() {
            return ipLength != 0;
        }

        public void clear() {
            ipLength = 0;
            port = 0;
        }

        public int port() {
            return port;
        }

        /** Same IP address (ports ignored), as TURN permissions compare. */
        public boolean sameIp(PeerAddress other) {
            if (ipLength != other.ipLength) {
                return false;
            }
            for (int i = 0; i < ipLength; i++) {
                if (ip[i] != other.ip[i]) {
                    return false;
                }
            }
            return true;
        }

        public boolean sameAs(PeerAddress other) {
            return port == other.port && sameIp(other);
        }

        /** The IP as a number for rate limiting: IPv4 address, or IPv6 /64 prefix; 0 when unset. */
        public long key() {
            return SourceKeys.of(ip, ipLength);
        }

        /** Allocates: for events and messages only. */
        public InetSocketAddress toSocketAddress() {
            try {
                byte[] raw = new byte[ipLength];
                System.arraycopy(ip, 0, raw, 0, ipLength);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            if (ipLength == 0) {
                return "(none)";
            }
            InetSocketAddress a = toSocketAddress();
            String host = a.getAddress().getHostAddress();
            return (ipLength == 16 ? "[" + host + "]" : host) + ":" + port;
        }
    }
}
