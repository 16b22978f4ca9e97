package dev.viz.transport.secure.internal;

import dev.viz.core.Transport;
import dev.viz.core.Transport.Rejection;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The calling side's handshake: sends INIT (again when the {@link RetrySchedule} says so), reads the
 * RESPONSE, answers with FINAL, which it repeats every {@value #FINAL_RETRANSMIT_NS} ns
 * ({@value #FINAL_SENDS} sends) until the responder confirms (an empty data datagram, or any
 * datagram of the new session). Meanwhile the new session is the {@link DataPath}'s candidate, so
 * that the confirmation opens; once confirmed, it becomes current there. Two unconfirmed rounds in a
 * row mean the peer refuses this side: a failure. A probe (an INIT sent while a session exists)
 * leaves the old session usable; when it is not answered in time, the layer reports not-ready and
 * keeps retrying with the backoff.
 *
 * <p>Network thread only.
 */
public final class InitiatorHandshake {
    /** A RESPONSE is accepted this long after its INIT at most (bounds a man in the middle's grinding). */
    public static final long RESPONSE_WINDOW_NS = 2_000_000_000L;
    public static final long FINAL_RETRANSMIT_NS = 500_000_000L;
    public static final int FINAL_SENDS = 4;

    private final Transport inner;
    private final NoiseSetup noise;
    private final DataPath data;
    private final RetrySchedule schedule;
    private final PeerTrust trust;
    private final SecureStatus status;
    private final IntSupplier newIndex;
    private Attempt attempt;
    private int refusals;
    /** When this side said the layer is not ready (no answer to its probes), or -1 while it is ready. */
    private long notReadySinceNs = -1;
    private int responseFailures;

    /** One handshake in progress. */
    private static final class Attempt {
        final HandshakeState handshake;
        final int localIndex;
        final long startedNs;
        final KeyPair ephemeral;
        final byte[] ephemeralPublic;
        final boolean probe;
        /** Set once the RESPONSE is answered; the attempt's session is then the data path's candidate. */
        byte[] finalDatagram;
        int finalSends;
        long lastFinalNs;

        Attempt(HandshakeState handshake, int localIndex, long startedNs, KeyPair ephemeral, boolean probe) {
            this.handshake = handshake;
            this.localIndex = localIndex;
            this.startedNs = startedNs;
            this.ephemeral = ephemeral;
            this.ephemeralPublic = ephemeral.publicKey();
            this.probe = probe;
        }
    }

    /** @param newIndex a fresh receiver index not in use by any session or handshake */
    public InitiatorHandshake(Transport inner, NoiseSetup noise, DataPath data, RetrySchedule schedule,
            PeerTrust trust, SecureStatus status, IntSupplier newIndex) {
        this.inner = inner;
        this.noise = noise;
        this.data = data;
        this.schedule = schedule;
        this.trust = trust;
        this.status = status;
        this.newIndex = newIndex;
    }

    /** Whether an attempt in progress uses {@code index}. */
    public boolean uses(int index) {
        Attempt a = attempt;
        return a != null && a.localIndex == index;
    }

    /** Timers: starts, retries and probes handshakes, repeats the FINAL; returns the work done. */
    public int doWork(long nowNs) {
        if (notReadySinceNs >= 0 && oldSessionHeardSince(notReadySinceNs)) {
            return 1;
        }
        Attempt a = attempt;
        if (a == null) {
            if (!schedule.attemptDue(nowNs)) {
                return 0;
            }
            Session c = data.current();
            if (c == null || !status.isReady()) {
                start(nowNs, c != null);
                return 1;
            }
            if (schedule.peerQuiet(nowNs) || c.nextCounter >= DataPath.COUNTER_LIMIT - 1) {
                start(nowNs, true); // the peer went quiet while we talk: is it still there?
                return 1;
            }
            return 0;
        }
        if (a.finalDatagram == null) {
            if (!schedule.retryDue(a.startedNs, nowNs)) {
                return 0;
            }
            if (data.current() != null) {
                if (notReadySinceNs < 0) {
                    notReadySinceNs = nowNs;
                }
                status.notReady("no answer from " + inner.peer() + " for " + schedule.silentForNs(nowNs) / 1_000_000L
                        + " ms: re-handshaking");
            }
            schedule.backOff();
            start(nowNs, a.probe);
            return 1;
        }
        if (nowNs - a.lastFinalNs < FINAL_RETRANSMIT_NS) {
            return 0;
        }
        if (a.finalSends >= FINAL_SENDS) {
            data.candidate().destroy();
            data.candidate(null);
            attempt = null;
            schedule.nextAttemptAfter(nowNs);
            if (++refusals >= 2) {
                status.fail("the peer at " + inner.peer() + " answered but refused this side's final handshake message:"
                        + " the shared secrets (--secret or VIZ_SECRET) differ, or the peer accepts only another key"
                        + " (--peer-key on its side). No audio was sent.");
            }
            return 1;
        }
        a.finalSends++;
        a.lastFinalNs = nowNs;
        inner.send(a.finalDatagram, 0, a.finalDatagram.length);
        return 1;
    }

    private void start(long nowNs, boolean probe) {
        KeyPair ephemeral = KeyPair.generate();
        HandshakeState handshake = noise.initiator(ephemeral);
        int index = newIndex.getAsInt();
        byte[] message = handshake.writeMessage(HandshakeHeader.initPayload(noise.mode(), index));
        byte[] datagram = new byte[HandshakeHeader.INIT_LENGTH];
        datagram[HandshakeHeader.TYPE_OFFSET] = HandshakeHeader.TYPE_INIT;
        datagram[HandshakeHeader.INIT_MODE_OFFSET] = noise.mode();
        System.arraycopy(message, 0, datagram, HandshakeHeader.INIT_NOISE_OFFSET, message.length);
        if (attempt != null) {
            attempt.ephemeral.destroy();
        }
        attempt = new Attempt(handshake, index, nowNs, ephemeral, probe);
        status.handshakeStarted();
        inner.send(datagram, 0, datagram.length);
    }

    /** A RESPONSE ({@code in[0 .. length)}, of the right length): checks it, and answers with FINAL. */
    public void onResponse(byte[] in, int length, long nowNs) {
        Attempt a = attempt;
        int receiver = HandshakeHeader.getInt(in, HandshakeHeader.RESPONSE_RECEIVER_OFFSET);
        if (a == null || a.localIndex != receiver || a.finalDatagram != null
                || nowNs - a.startedNs > RESPONSE_WINDOW_NS) {
            status.reject(Rejection.UNAUTHENTICATED);
            return;
        }
        byte[] payload = a.handshake.readMessage(Arrays.copyOfRange(in, HandshakeHeader.RESPONSE_NOISE_OFFSET, length));
        if (payload == null) {
            attempt = null;
            schedule.nextAttemptAfter(a.startedNs);
            status.reject(Rejection.UNAUTHENTICATED);
            if (++responseFailures >= 3) {
                status.fail("the handshake replies of the peer at " + inner.peer() + " fail authentication: it speaks"
                        + " another version of the secure protocol, or someone on the path tampers with them");
            }
            a.ephemeral.destroy();
            return;
        }
        a.ephemeral.destroy();
        if (!HandshakeHeader.isValid(payload, HandshakeHeader.RESPONSE_PAYLOAD_LENGTH,
                HandshakeHeader.RESPONSE_PAYLOAD_LENGTH)) {
            attempt = null;
            status.fail("the peer at " + inner.peer() + " speaks version " + payload[0]
                    + " of the secure protocol; this side speaks " + HandshakeHeader.PROTOCOL_VERSION);
            return;
        }
        String refusal = trust.refusalOfResponder(a.handshake.remoteStatic(), inner.peer(), nowNs);
        if (refusal != null) {
            attempt = null;
            status.fail(refusal);
            return;
        }
        int responder = HandshakeHeader.getInt(payload, HandshakeHeader.RESPONSE_PAYLOAD_SENDER_OFFSET);
        byte[] finalMessage = a.handshake.writeMessage(HandshakeHeader.payload(HandshakeHeader.FINAL_PAYLOAD_LENGTH));
        byte[] datagram = new byte[HandshakeHeader.FINAL_LENGTH];
        datagram[HandshakeHeader.TYPE_OFFSET] = HandshakeHeader.TYPE_FINAL;
        HandshakeHeader.putInt(datagram, HandshakeHeader.FINAL_RECEIVER_OFFSET, responder);
        System.arraycopy(finalMessage, 0, datagram, HandshakeHeader.FINAL_NOISE_OFFSET, finalMessage.length);
        data.candidate(new Session(a.handshake, a.localIndex, responder));
        a.finalDatagram = datagram;
        a.finalSends = 1;
        a.lastFinalNs = nowNs;
        inner.send(datagram, 0, datagram.length);
    }

    /** A NOTICE: the responder runs the other mode (one side has a shared secret, the other not). */
    public void onNotice(byte[] in, int length) {
        Attempt a = attempt;
        if (length != HandshakeHeader.NOTICE_LENGTH || a == null || a.finalDatagram != null
                || HandshakeHeader.getInt(in, HandshakeHeader.NOTICE_RECEIVER_OFFSET) != a.localIndex
                || in[HandshakeHeader.NOTICE_MODE_OFFSET] == noise.mode()) {
            status.reject(Rejection.MALFORMED);
            return;
        }
        attempt = null;
        a.ephemeral.destroy();
        status.fail(noise.hasSecret()
                ? "the peer at " + inner.peer() + " has no shared secret but this side has one (--secret or"
                        + " VIZ_SECRET): the handshake failed, no audio was sent"
                : "the peer at " + inner.peer() + " requires a shared secret (--secret or VIZ_SECRET) and this side"
                        + " has none: the handshake failed, no audio was sent");
    }

    /** The responder confirmed the data path's candidate session (a datagram of it opened): it becomes current. */
    public void confirmed(long nowNs) {
        Attempt a = attempt;
        attempt = null;
        Session session = data.candidate();
        data.install(session, nowNs);
        schedule.completed(nowNs, a.probe);
        responseFailures = 0;
        refusals = 0;
        trust.confirmedResponder(session.remoteStatic, inner.peer(), nowNs);
        status.completed(session, inner.peer());
    }

    /** The old session turned out to be alive (our probes were lost): an unanswered probe is dropped. */
    /**
     * While not ready: whether the current session was heard at or after {@code sinceNs} (a datagram
     * stamped with the round's time arrived after this round's timers ran). Then the old session
     * turned out to be alive after all (our probes were lost): the layer is ready again with it.
     * Also forgets the mark once a completed handshake made the layer ready.
     */
    private boolean oldSessionHeardSince(long sinceNs) {
        if (status.isReady() || status.isFailed()) {
            notReadySinceNs = -1;
            return false;
        }
        if (data.current() == null || data.lastHeardNs() < sinceNs) {
            return false;
        }
        notReadySinceNs = -1;
        status.becameReady(inner.peer());
        oldSessionAlive();
        return true;
    }

    private void oldSessionAlive() {
        Attempt a = attempt;
        if (a != null && a.finalDatagram == null) {
            attempt = null;
            a.ephemeral.destroy();
        }
        schedule.answered();
    }

    /**
     * Both ends called each other (a symmetric transport, no session yet): the one whose ephemeral
     * key is greater answers. Whether this side, having sent an INIT, must answer the INIT in
     * {@code in} instead; when it must, its own attempt is dropped.
     */
    public boolean yieldsTo(byte[] in) {
        Attempt a = attempt;
        boolean yields = data.current() == null && a != null && a.finalDatagram == null
                && Arrays.compareUnsigned(a.ephemeralPublic, 0, 32, in, HandshakeHeader.INIT_NOISE_OFFSET,
                        HandshakeHeader.INIT_NOISE_OFFSET + 32) > 0;
        if (yields) {
            attempt = null;
            a.ephemeral.destroy();
        }
        return yields;
    }
}
