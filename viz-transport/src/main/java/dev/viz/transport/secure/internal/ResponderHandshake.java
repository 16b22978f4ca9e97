package dev.viz.transport.secure.internal;

import dev.viz.core.Transport;
import dev.viz.core.Transport.Rejection;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The listening side's handshake: answers any INIT within the rate limits (per source host and
 * overall) from a table of {@value #PENDING_SLOTS} pending handshakes, without binding to the
 * sender; a FINAL that authenticates (and that {@link PeerTrust} accepts) makes the new session
 * current, moves the wrapped transport to the FINAL's source, and is confirmed. While a call is up,
 * only the same peer key may replace its session (a restarted caller).
 *
 * <p>Network thread only.
 */
public final class ResponderHandshake {
    public static final long PENDING_LIFETIME_NS = 3_000_000_000L;
    public static final int PENDING_SLOTS = 64;
    public static final int HANDSHAKES_PER_SOURCE_PER_SECOND = 5;
    public static final int HANDSHAKE_BURST_PER_SOURCE = 10;
    public static final int HANDSHAKES_PER_SECOND = 50;
    public static final int HANDSHAKE_BURST = 50;
    private static final int MAX_CONFIRM_RESENDS = 5;
    /** FINALs that may fail for one pending handshake before it is dropped. */
    private static final int MAX_FINAL_FAILURES = 3;

    private final Transport inner;
    private final NoiseSetup noise;
    private final DataPath data;
    private final PeerTrust trust;
    private final SecureStatus status;
    private final IntSupplier newIndex;
    private final RateLimiter limiter = new RateLimiter(HANDSHAKES_PER_SOURCE_PER_SECOND, HANDSHAKE_BURST_PER_SOURCE,
            HANDSHAKES_PER_SECOND, HANDSHAKE_BURST);
    private final Pending[] pending = new Pending[PENDING_SLOTS];

    /** A handshake answered, waiting for its FINAL. */
    private static final class Pending {
        final int localIndex;
        final int remoteIndex;
        final long startedNs;
        /** To rebuild the state after a FINAL that failed: a corrupted copy must not cost the genuine one its slot. */
        final byte[] initMessage;
        final KeyPair ephemeral;
        final byte[] responsePayload;
        HandshakeState handshake;
        int failures;

        Pending(HandshakeState handshake, int localIndex, int remoteIndex, long startedNs, byte[] initMessage,
                KeyPair ephemeral, byte[] responsePayload) {
            this.handshake = handshake;
            this.localIndex = localIndex;
            this.remoteIndex = remoteIndex;
            this.startedNs = startedNs;
            this.initMessage = initMessage;
            this.ephemeral = ephemeral;
            this.responsePayload = responsePayload;
        }
    }

    /** @param newIndex a fresh receiver index not in use by any session or handshake */
    public ResponderHandshake(Transport inner, NoiseSetup noise, DataPath data, PeerTrust trust, SecureStatus status,
            IntSupplier newIndex) {
        this.inner = inner;
        this.noise = noise;
        this.data = data;
        this.trust = trust;
        this.status = status;
        this.newIndex = newIndex;
    }

    /** Whether a pending handshake uses {@code index}. */
    public boolean uses(int index) {
        for (Pending p : pending) {
            if (p != null && p.localIndex == index) {
                return true;
            }
        }
        return false;
    }

    /** Forgets pending handshakes older than {@link #PENDING_LIFETIME_NS}; returns how many. */
    public int doWork(long nowNs) {
        int work = 0;
        for (int i = 0; i < pending.length; i++) {
            if (pending[i] != null && nowNs - pending[i].startedNs > PENDING_LIFETIME_NS) {
                pending[i].ephemeral.destroy();
                pending[i] = null;
                work++;
            }
        }
        return work;
    }

    /** An INIT ({@code in[0 .. length)}, of the right length): answered with a RESPONSE, or a NOTICE for the other mode. */
    public void onInit(byte[] in, int length, long nowNs) {
        if (!limiter.tryAcquire(inner.lastSourceKey(), nowNs)) {
            status.reject(Rejection.RATE_LIMITED);
            return;
        }
        byte declared = in[HandshakeHeader.INIT_MODE_OFFSET];
        if (declared != HandshakeHeader.MODE_XX && declared != HandshakeHeader.MODE_XX_PSK3) {
            status.reject(Rejection.MALFORMED);
            return;
        }
        boolean sameMode = declared == noise.mode();
        KeyPair ephemeral = sameMode ? KeyPair.generate() : null;
        HandshakeState handshake = sameMode ? noise.responder(ephemeral) : noise.otherModeReader();
        byte[] initMessage = Arrays.copyOfRange(in, HandshakeHeader.INIT_NOISE_OFFSET, length);
        byte[] payload = handshake.readMessage(initMessage);
        if (!HandshakeHeader.isValid(payload, HandshakeHeader.initPayloadLength(declared),
                HandshakeHeader.INIT_PAYLOAD_USED)) {
            if (payload != null && payload.length > 0 && payload[0] != HandshakeHeader.PROTOCOL_VERSION) {
                status.warn("a caller speaks version " + payload[0] + " of the secure protocol; this side speaks "
                        + HandshakeHeader.PROTOCOL_VERSION, false, nowNs);
            }
            status.reject(Rejection.MALFORMED);
            return;
        }
        int initiatorIndex = HandshakeHeader.getInt(payload, HandshakeHeader.INIT_PAYLOAD_SENDER_OFFSET);
        if (!sameMode) {
            status.warn(noise.hasSecret()
                    ? "a caller has no shared secret but this side requires one (--secret or VIZ_SECRET): refused"
                    : "a caller uses a shared secret (--secret or VIZ_SECRET) but this side has none: refused",
                    false, nowNs);
            byte[] notice = new byte[HandshakeHeader.NOTICE_LENGTH];
            notice[HandshakeHeader.TYPE_OFFSET] = HandshakeHeader.TYPE_NOTICE;
            HandshakeHeader.putInt(notice, HandshakeHeader.NOTICE_RECEIVER_OFFSET, initiatorIndex);
            notice[HandshakeHeader.NOTICE_MODE_OFFSET] = noise.mode();
            status.reject(Rejection.UNAUTHENTICATED);
            inner.reply(notice, 0, notice.length);
            return;
        }
        int index = newIndex.getAsInt();
        byte[] responsePayload = HandshakeHeader.responsePayload(index);
        byte[] message;
        try {
            message = handshake.writeMessage(responsePayload);
        } catch (IllegalStateException e) {
            status.reject(Rejection.MALFORMED); // a low-order ephemeral key
            return;
        }
        byte[] datagram = new byte[HandshakeHeader.RESPONSE_LENGTH];
        datagram[HandshakeHeader.TYPE_OFFSET] = HandshakeHeader.TYPE_RESPONSE;
        HandshakeHeader.putInt(datagram, HandshakeHeader.RESPONSE_RECEIVER_OFFSET, initiatorIndex);
        System.arraycopy(message, 0, datagram, HandshakeHeader.RESPONSE_NOISE_OFFSET, message.length);
        store(new Pending(handshake, index, initiatorIndex, nowNs, initMessage, ephemeral, responsePayload));
        status.handshakeAnswered();
        inner.reply(datagram, 0, datagram.length);
    }

    /** The responder's state right after its RESPONSE, again: the same INIT, ephemeral key and payload. */
    private HandshakeState rebuild(Pending p) {
        HandshakeState handshake = noise.responder(p.ephemeral);
        handshake.readMessage(p.initMessage);
        handshake.writeMessage(p.responsePayload);
        return handshake;
    }

    private void store(Pending p) {
        int oldest = 0;
        for (int i = 0; i < pending.length; i++) {
            if (pending[i] == null) {
                pending[i] = p;
                return;
            }
            if (pending[i].startedNs - pending[oldest].startedNs < 0) {
                oldest = i;
            }
        }
        pending[oldest].ephemeral.destroy();
        pending[oldest] = p;
    }

    /** A FINAL ({@code in[0 .. length)}, of the right length): completes its pending handshake. */
    public void onFinal(byte[] in, int length, long nowNs) {
        int index = HandshakeHeader.getInt(in, HandshakeHeader.FINAL_RECEIVER_OFFSET);
        int slot = -1;
        for (int i = 0; i < pending.length; i++) {
            if (pending[i] != null && pending[i].localIndex == index) {
                slot = i;
                break;
            }
        }
        if (slot < 0) {
            onFinalWithoutPending(in, length, index);
            return;
        }
        Pending p = pending[slot];
        byte[] payload = p.handshake.readMessage(Arrays.copyOfRange(in, HandshakeHeader.FINAL_NOISE_OFFSET, length));
        if (payload == null) {
            status.reject(Rejection.UNAUTHENTICATED);
            if (noise.hasSecret() && p.handshake.failedOnPayload()) {
                status.warn("a caller's handshake failed the shared-secret check: its secret (--secret or VIZ_SECRET)"
                        + " differs from this side's, or it has none. Refused; no audio flows.", false, nowNs);
            }
            if (++p.failures < MAX_FINAL_FAILURES) {
                // A corrupted or forged FINAL must not cost the genuine one, which may follow, its slot.
                p.handshake = rebuild(p);
            } else {
                pending[slot] = null;
                p.ephemeral.destroy();
            }
            return;
        }
        pending[slot] = null;
        p.ephemeral.destroy();
        if (!HandshakeHeader.isValid(payload, HandshakeHeader.FINAL_PAYLOAD_LENGTH, HandshakeHeader.FINAL_PAYLOAD_LENGTH)) {
            status.reject(Rejection.MALFORMED);
            return;
        }
        String refusal = trust.refusalOfCaller(p.handshake.remoteStatic(), data.current());
        if (refusal != null) {
            status.reject(Rejection.UNAUTHENTICATED);
            status.warn(refusal, false, nowNs);
            return;
        }
        Session session = new Session(p.handshake, p.localIndex, p.remoteIndex);
        session.finalMessage = Arrays.copyOf(in, length);
        data.install(session, nowNs);
        inner.acceptPeer(); // the wrapped listener now sends to where this FINAL came from
        data.confirm(session, false);
        status.completed(session, inner.peer());
    }

    /** A repeated FINAL of the current session means the initiator missed our confirmation: send it again. */
    private void onFinalWithoutPending(byte[] in, int length, int index) {
        Session c = data.current();
        if (c != null && c.localIndex == index && c.finalMessage != null
                && Arrays.equals(c.finalMessage, 0, c.finalMessage.length, in, 0, length)) {
            status.reject(Rejection.REPLAYED);
            if (!c.heardFrom && c.confirmsResent < MAX_CONFIRM_RESENDS) {
                c.confirmsResent++;
                data.confirm(c, true);
            }
            return;
        }
        status.reject(Rejection.UNAUTHENTICATED);
    }
}
