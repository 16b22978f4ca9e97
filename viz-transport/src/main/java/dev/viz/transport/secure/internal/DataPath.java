package dev.viz.transport.secure.internal;

import dev.viz.core.Transport;
import dev.viz.core.Transport.Rejection;

/**
 * The data path: seals each payload into one datagram of the current session and opens received
 * data datagrams of any live session, in place, with the replay window consulted after
 * authentication. Whatever fails is counted and dropped, without a reply or an allocation.
 *
 * <pre>
 * receive: length and type -> receiver index (unknown: UNAUTHENTICATED) -> tag (UNAUTHENTICATED)
 *          -> replay window (REPLAYED) -> padding (MALFORMED) -> payload
 * </pre>
 *
 * Network thread only.
 */
public final class DataPath {
    /** The sender stops at 2^63 - 1 datagrams per session (never reached: 29 billion years at 10 per second). */
    public static final long COUNTER_LIMIT = Long.MAX_VALUE;
    /** {@link #open}: the datagram was dropped (and counted). */
    public static final int DROPPED = -1;

    private final Transport inner;
    private final Sessions sessions;
    private final SecureStatus status;
    private final int paddingBucketBytes;
    private final int maxDatagramBytes;
    private final int maxPlaintextBytes;
    private final PacketCipher sealer;
    private final PacketCipher opener;
    private final byte[] out;
    private Session opened;

    public DataPath(Transport inner, Sessions sessions, SecureStatus status, int paddingBucketBytes) {
        this.inner = inner;
        this.sessions = sessions;
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

    /** Seals one payload in {@code session} and sends it; {@code length} or a negative status. No allocation. */
    public int send(Session session, byte[] buffer, int offset, int length) {
        if (session.nextCounter == COUNTER_LIMIT) {
            return Transport.NOT_READY;
        }
        int total = sealer.seal(session.sendKey, session.remoteIndex, session.nextCounter++, buffer, offset, length,
                paddedLength(length), out);
        int sent = inner.send(out, 0, total);
        if (sent != total) {
            return sent < 0 ? sent : Transport.ERROR_IO;
        }
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
     * Opens the data datagram {@code in[0 .. length)} into {@code buffer[offset ..]}.
     *
     * @param candidate the initiator's session waiting for its confirmation, or null
     * @return the payload length (0 for a confirmation or keepalive), or {@link #DROPPED}; after a
     *     success {@link #opened()} is the session it belonged to
     */
    public int open(byte[] in, int length, Session candidate, byte[] buffer, int offset, int capacity) {
        opened = null;
        if (length < DataHeader.MIN_DATAGRAM || length > maxDatagramBytes) {
            return drop(Rejection.MALFORMED);
        }
        Session session = sessions.find(DataHeader.receiverIndex(in, 0), candidate);
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
        return payload;
    }

    /** The session of the datagram {@link #open} accepted last. */
    public Session opened() {
        return opened;
    }

    private int drop(Rejection why) {
        status.reject(why);
        return DROPPED;
    }
}
