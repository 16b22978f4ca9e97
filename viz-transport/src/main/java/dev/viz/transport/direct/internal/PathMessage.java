package dev.viz.transport.direct.internal;

import dev.viz.transport.secure.internal.Sodium;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The direct path's own messages: candidate addresses, probes and their answers, sealed with the
 * session's path key (ChaCha20-Poly1305, the 12-byte header as associated data). Wire format
 * (docs/protocol.md, "Direct path"):
 *
 * <pre>
 *  0               1               2               3
 * +---------------+---------------+---------------+---------------+
 * |  type = 0x50  |     kind      |  sender role  |   reserved 0  |
 * +---------------+---------------+---------------+---------------+
 * |                    counter (64 bits, big-endian)              |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |  body, sealed (kind-specific, below)             ...          |
 * +---------------------------------------------------------------+
 * |  Poly1305 tag (16 bytes)                                      |
 * +---------------------------------------------------------------+
 *
 * nonce  = sender role, 0, 0, 0, counter            (12 bytes)
 * CANDIDATES body = flags (bit 0: "I have yours"), count, count x address
 * PROBE body      = (empty: the counter is the transaction)
 * ANSWER body     = the probe's counter (8), the probe's source address as seen here
 * address         = family (4 or 6), port (2), 4 or 16 address bytes
 * </pre>
 *
 * <p>The sender role (0 initiator, 1 responder) keeps the two directions' nonces apart and lets a
 * side refuse its own messages reflected back at it. Messages are rare (candidates once, a probe a
 * second on an established path, five a second while looking), so sealing and opening use
 * libsodium's array calls and allocate; the audio never takes this path. Network thread only.
 */
public final class PathMessage {
    /** The first byte: unused by the secure layer (1-5) and by STUN (0-3), the other traffic of the direct socket. */
    public static final byte TYPE = 0x50;
    public static final int TYPE_OFFSET = 0;
    public static final int KIND_OFFSET = 1;
    public static final int ROLE_OFFSET = 2;
    public static final int COUNTER_OFFSET = 4;
    public static final int HEADER_BYTES = 12;
    public static final int TAG_BYTES = Sodium.AEAD_TAG_BYTES;

    public static final byte KIND_CANDIDATES = 1;
    public static final byte KIND_PROBE = 2;
    public static final byte KIND_ANSWER = 3;

    /** CANDIDATES flag: the sender has the receiver's candidates (no need to send them again). */
    public static final int FLAG_HAVE_YOURS = 1;
    /** At most this many candidates in one message; more are not read. */
    public static final int MAX_CANDIDATES = 8;
    /** The largest message: a CANDIDATES with {@link #MAX_CANDIDATES} IPv6 addresses. */
    public static final int MAX_BYTES = HEADER_BYTES + 2 + MAX_CANDIDATES * 19 + TAG_BYTES;

    private PathMessage() {
    }

    /** Whether {@code length} bytes at {@code b[off]} may be a path message (type and minimum length). */
    public static boolean looksLikePath(byte[] b, int off, int length) {
        return length >= HEADER_BYTES + TAG_BYTES && b[off + TYPE_OFFSET] == TYPE;
    }

    /** Seals a message into {@code out} (at 0) and returns its length. */
    public static int seal(byte[] key, byte kind, boolean initiator, long counter, byte[] body, int bodyLength,
            byte[] out) {
        out[TYPE_OFFSET] = TYPE;
        out[KIND_OFFSET] = kind;
        out[ROLE_OFFSET] = (byte) (initiator ? 0 : 1);
        out[3] = 0;
        putLong(out, COUNTER_OFFSET, counter);
        byte[] ad = java.util.Arrays.copyOf(out, HEADER_BYTES);
        byte[] sealed = Sodium.aeadEncrypt(key, nonce(out, 0), ad, java.util.Arrays.copyOf(body, bodyLength));
        System.arraycopy(sealed, 0, out, HEADER_BYTES, sealed.length);
        return HEADER_BYTES + sealed.length;
    }

    /**
     * Opens a message; returns its body, or null when it fails authentication, comes from this
     * side's own role (reflected), or is malformed.
     */
    public static byte[] open(byte[] key, boolean initiator, byte[] b, int off, int length) {
        if (!looksLikePath(b, off, length) || length > MAX_BYTES || b[off + ROLE_OFFSET] == (initiator ? 0 : 1)
                || b[off + ROLE_OFFSET] > 1) {
            return null;
        }
        byte[] ad = java.util.Arrays.copyOfRange(b, off, off + HEADER_BYTES);
        byte[] sealed = java.util.Arrays.copyOfRange(b, off + HEADER_BYTES, off + length);
        return Sodium.aeadDecrypt(key, nonce(b, off), ad, sealed);
    }

    public static byte kind(byte[] b, int off) {
        return b[off + KIND_OFFSET];
    }

    public static long counter(byte[] b, int off) {
        return getLong(b, off + COUNTER_OFFSET);
    }

    private static byte[] nonce(byte[] header, int off) {
        byte[] nonce = new byte[Sodium.AEAD_NONCE_BYTES];
        nonce[0] = header[off + ROLE_OFFSET];
        System.arraycopy(header, off + COUNTER_OFFSET, nonce, 4, 8);
        return nonce;
    }

    /** Writes {@code address} at {@code b[i]}; returns the index after it. */
    public static int putAddress(byte[] b, int i, InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        b[i] = (byte) (ip.length == 4 ? 4 : 6);
        b[i + 1] = (byte) (address.getPort() >>> 8);
        b[i + 2] = (byte) address.getPort();
        System.arraycopy(ip, 0, b, i + 3, ip.length);
        return i + 3 + ip.length;
    }

    /** The bytes {@link #putAddress} writes for {@code address}. */
    public static int addressBytes(InetSocketAddress address) {
        return 3 + (address.getAddress() instanceof Inet4Address ? 4 : 16);
    }

    /**
     * Reads the addresses of a CANDIDATES body (at most {@link #MAX_CANDIDATES}); null when malformed.
     */
    public static List<InetSocketAddress> candidates(byte[] body) {
        if (body.length < 2) {
            return null;
        }
        int count = body[1] & 0xff;
        if (count > MAX_CANDIDATES) {
            return null;
        }
        List<InetSocketAddress> list = new ArrayList<>(count);
        int i = 2;
        for (int n = 0; n < count; n++) {
            InetSocketAddress a = address(body, i);
            if (a == null) {
                return null;
            }
            list.add(a);
            i += addressBytes(a);
        }
        return i == body.length ? list : null;
    }

    /** The address at {@code b[i]}, or null when truncated or of an unknown family. */
    public static InetSocketAddress address(byte[] b, int i) {
        if (i + 3 > b.length) {
            return null;
        }
        int family = b[i];
        int length = family == 4 ? 4 : family == 6 ? 16 : -1;
        if (length < 0 || i + 3 + length > b.length) {
            return null;
        }
        int port = (b[i + 1] & 0xff) << 8 | b[i + 2] & 0xff;
        try {
            InetAddress ip = InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, i + 3, i + 3 + length));
            if (port == 0 || ip.isAnyLocalAddress() || ip.isMulticastAddress()
                    || (ip instanceof Inet6Address && ((Inet6Address) ip).isLinkLocalAddress())) {
                return null;
            }
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public static void putLong(byte[] b, int i, long v) {
        for (int k = 7; k >= 0; k--) {
            b[i + k] = (byte) v;
            v >>>= 8;
        }
    }

    public static long getLong(byte[] b, int i) {
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = v << 8 | b[i + k] & 0xff;
        }
        return v;
    }
}
