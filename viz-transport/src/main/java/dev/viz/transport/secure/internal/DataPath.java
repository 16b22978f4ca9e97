package dev.viz.transport.secure.internal;

import dev.viz.core.Transport;
import dev.viz.core.Transport.Rejection;

/**
 * The data path and the sessions it uses: seals each payload into one datagram of the current
 * session and opens received data datagrams of any live session, in place, with the replay window
 * consulted after authentication. Whatever fails is counted and dropped, without a reply or an
 * allocation.
 *
 * <pre>
 * receive: length and type -> receiver index (unknown: UNAUTHENTICATED) -> tag (UNAUTHENTICATED)
 *          -> replay window (REPLAYED) -> padding (MALFORMED) -> payload
 * </pre>
 *
 * <p>The session table: the current session, which sends; the previous one, kept
 * {@value #PREVIOUS_SESSION_LIFETIME_NS} ns after a re-handshake so that its late datagrams still
 * open; and the initiator's candidate, answered but not yet confirmed by the responder. The
 * handshakes {@link #install} sessions and set the {@link #candidate(Session) candidate}; nothing
 * else changes the table.
 *
 * <p>Times for the retry schedule, kept as plain fields and read by {@link RetrySchedule} in its
 * own timer work (nothing is called per datagram): when a payload last went out, when the current
 * session was last authenticated (installed, or a datagram of it opened), and when such a datagram
 * last carried a payload. The caller passes the time in; this class reads no clock.
 *
 * <p>Network thread only.
 */
public final class DataPath {
    /** The sender stops at 2^63 - 1 datagrams per session (never reached: 29 billion years at 10 per second). */
    public static final long COUNTER_LIMIT = Long.MAX_VALUE;
    /** {@link #open}: the datagram was dropped (and counted). */
    public static final int DROPPED = -1;
    public static final long PREVIOUS_SESSION_LIFETIME_NS = 10_000_000_000L;

    private final Transport inner;
    private final SecureStatus status;
    private final int paddingBucketBytes;
    private final int maxDatagramBytes;
    private final int maxPlaintextBytes;
    private final PacketCipher sealer;
    private final PacketCipher opener;
    private final byte[] out;
    private Session current;
    private Session previous;
    private long previousSinceNs;
    private Session candidate;
    private Session opened;
    private long lastSentNs;
    private long lastHeardNs;
    private long lastPayloadNs;

    public DataPath(Transport inner, SecureStatus status, int paddingBucketBytes) {
        this.inner = inner;
        this.status = status;
        this.paddingBucketBytes = paddingBucketBytes;
        this.maxDatagramBytes = inner.maxPayloadBytes();
        this.maxPlaintextBytes = maxDatagramBytes - DataHeader.LENGTH - Sodium.AEAD_TAG_BYTES;
        this.sealer = new PacketCipher(maxDatagramBytes);
        this.opener = new PacketCipher(maxDatagramBytes);
        this.out = new byte[maxDatagramBytes];
    }

    /** The largest payload a data datagram carries. */
    public int maxPayloadBytes() {
        return maxDatagramBytes - DataHeader.OVERHEAD;
    }

    /** The session that sends, or null before the first handshake. */
    public Session current() {
        return current;
    }

    /** The initiator's session waiting for the responder's confirmation, or null. */
    public Session candidate() {
        return candidate;
    }

    /** The initiator's answered attempt made {@code session} (null: the attempt is given up); it opens from now on. */
    void candidate(Session session) {
        candidate = session;
    }

    /** The session whose receiver index is {@code index} (current, candidate, or previous), or null. */
    public Session find(int index) {
        Session c = current;
        if (c != null && c.localIndex == index) {
            return c;
        }
        Session n = candidate;
        if (n != null && n.localIndex == index) {
            return n;
        }
        Session p = previous;
        if (p != null && p.localIndex == index) {
            return p;
        }
        return null;
    }

    /**
     * A handshake completed at {@code nowNs}: {@code session} becomes current (and stops being the
     * candidate), heard from now; the one it replaces stays readable for a while.
     */
    void install(Session session, long nowNs) {
        if (previous != null && previous != current) {
            previous.destroy();
        }
        previous = current;
        previousSinceNs = nowNs;
        current = session;
        if (candidate == session) {
            candidate = null;
        }
        lastHeardNs = nowNs;
    }

    /** Forgets the previous session once its lifetime is over. */
    public void expire(long nowNs) {
        if (previous != null && nowNs - previousSinceNs > PREVIOUS_SESSION_LIFETIME_NS) {
            previous.destroy();
            previous = null;
        }
    }

    /**
     * Seals one payload in the current session and sends it at {@code nowNs}; {@code length} or a
     * negative status ({@link Transport#NOT_READY} without a session). No allocation.
     */
    public int send(byte[] buffer, int offset, int length, long nowNs) {
        Session session = current;
        if (session == null || session.nextCounter == COUNTER_LIMIT) {
            return Transport.NOT_READY;
        }
        int total = sealer.seal(session.sendKey, session.remoteIndex, session.nextCounter++, buffer, offset, length,
                paddedLength(length), out);
        int sent = inner.send(out, 0, total);
        if (sent != total) {
            return sent < 0 ? sent : Transport.ERROR_IO;
        }
        lastSentNs = nowNs;
        return length;
    }

    /** An empty data datagram: tells the peer that this side has the session's keys. */
    void confirm(Session session, boolean toLastSource) {
        int total = sealer.seal(session.sendKey, session.remoteIndex, session.nextCounter++, out, 0, 0,
                paddedLength(0), out);
        if (toLastSource) {
            inner.reply(out, 0, total);
        } else {
            inner.send(out, 0, total);
        }
    }

    /** Plaintext length for a payload: payload, marker, zeros up to a multiple of the bucket, capped. */
    int paddedLength(int payloadLength) {
        int bucket = paddingBucketBytes;
        long padded = ((long) payloadLength + 1 + bucket - 1) / bucket * bucket;
        return (int) Math.min(padded, maxPlaintextBytes);
    }

    /**
     * Opens the data datagram {@code in[0 .. length)}, received at {@code nowNs}, into
     * {@code buffer[offset ..]}.
     *
     * @return the payload length (0 for a confirmation or keepalive), or {@link #DROPPED}; after a
     *     success {@link #opened()} is the session it belonged to
     */
    public int open(byte[] in, int length, byte[] buffer, int offset, int capacity, long nowNs) {
        opened = null;
        if (length < DataHeader.MIN_DATAGRAM || length > maxDatagramBytes) {
            return drop(Rejection.MALFORMED);
        }
        Session session = find(DataHeader.receiverIndex(in, 0));
        if (session == null) {
            return drop(Rejection.UNAUTHENTICATED);
        }
        long counter = DataHeader.reconstruct(session.window.highest(), DataHeader.wireCounter(in, 0));
        int payload = opener.open(session.receiveKey, counter, in, length, buffer, offset, capacity);
        if (payload == PacketCipher.UNAUTHENTICATED) {
            return drop(Rejection.UNAUTHENTICATED);
        }
        if (!session.window.accept(counter)) {
            return drop(Rejection.REPLAYED);
        }
        if (payload == PacketCipher.BAD_PADDING) {
            return drop(Rejection.MALFORMED);
        }
        session.heardFrom = true;
        opened = session;
        if (session != previous) { // current, or the candidate that this datagram confirms
            lastHeardNs = nowNs;
            if (payload > 0) {
                lastPayloadNs = nowNs;
            }
        }
        return payload;
    }

    /** The session of the datagram {@link #open} accepted last. */
    public Session opened() {
        return opened;
    }

    /** When a payload last went out (0 before the first). */
    long lastSentNs() {
        return lastSentNs;
    }

    /** When the current session was last authenticated: installed, or a datagram of it opened. */
    long lastHeardNs() {
        return lastHeardNs;
    }

    /** When an opened datagram of the current session last carried a payload (0 before the first). */
    long lastPayloadNs() {
        return lastPayloadNs;
    }

    private int drop(Rejection why) {
        status.reject(why);
        return DROPPED;
    }
}
