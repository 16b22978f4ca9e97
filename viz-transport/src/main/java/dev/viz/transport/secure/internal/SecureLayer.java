package dev.viz.transport.secure.internal;

import dev.viz.core.Transport;
import dev.viz.core.Transport.Rejection;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.KnownPeers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secure layer's state machine behind {@code SecureTransport}: Noise {@code XX} /
 * {@code XXpsk3} handshakes over the wrapped transport, then one AEAD per data datagram.
 *
 * <p><b>Initiator</b> (the calling side): sends INIT, retrying every 0.5 s doubling to 8 s until a
 * RESPONSE comes; answers with FINAL, which it repeats every 0.5 s ({@value #FINAL_SENDS} sends)
 * until the responder confirms (an empty data datagram, or any datagram of the new session). Then
 * it is ready. Two unconfirmed rounds in a row mean the peer refuses us: {@code onFailed}. Later it
 * re-handshakes when it has sent data but received nothing authenticated for
 * {@value #SILENCE_BEFORE_PROBE_MS} ms (the peer sends audio every 320 ms and a keepalive every
 * 10 s): the first INIT is a probe while the old session stays usable; if it is not answered within
 * 0.5 s the layer reports not-ready and keeps retrying with the backoff. A listener that restarts at
 * once is found by the probe, about 1.5 s after it went quiet; later restarts at the next retry. A
 * probe that the peer answers while it is merely quiet doubles the silence allowed (up to 12 s)
 * until a payload arrives again.
 *
 * <p><b>Responder</b> (the listening side): answers any INIT within the rate limits (per source
 * host and overall) from a table of pending handshakes, without binding to the sender; a FINAL that
 * authenticates makes the new session current, moves the wrapped transport to the FINAL's source,
 * and is confirmed. While a call is up, only the same peer key may replace its session (a restarted
 * caller); other keys are refused with a warning.
 *
 * <p><b>Data</b>: {@link PacketCipher} seals and opens in place; the replay window is consulted
 * after authentication; whatever fails is counted and dropped without a reply or an allocation.
 *
 * <p>Threads: {@link #open} once, then {@link #send}, {@link #receive} and {@link #doWork} from one
 * network thread; {@link #close} and the counters from any thread.
 */
public final class SecureLayer {
    private static final Logger LOG = LoggerFactory.getLogger(SecureLayer.class);

    public static final long RETRY_INITIAL_NS = 500_000_000L;
    public static final long RETRY_MAX_NS = 8_000_000_000L;
    /** A RESPONSE is accepted this long after its INIT at most (bounds a man in the middle's grinding). */
    public static final long RESPONSE_WINDOW_NS = 2_000_000_000L;
    public static final long SILENCE_BEFORE_PROBE_MS = 1_500;
    public static final long SILENCE_BEFORE_PROBE_MAX_MS = 12_000;
    public static final long FINAL_RETRANSMIT_NS = 500_000_000L;
    public static final int FINAL_SENDS = 4;
    public static final long PENDING_LIFETIME_NS = 3_000_000_000L;
    public static final long PREVIOUS_SESSION_LIFETIME_NS = 10_000_000_000L;
    public static final int PENDING_SLOTS = 64;
    public static final int MAX_DATAGRAMS_PER_RECEIVE = 256;
    /** The sender stops at 2^63 - 1 datagrams per session (never reached: 29 billion years at 10 per second). */
    public static final long COUNTER_LIMIT = Long.MAX_VALUE;
    public static final int HANDSHAKES_PER_SOURCE_PER_SECOND = 5;
    public static final int HANDSHAKE_BURST_PER_SOURCE = 10;
    public static final int HANDSHAKES_PER_SECOND = 50;
    public static final int HANDSHAKE_BURST = 50;
    private static final long WARNING_INTERVAL_NS = 2_000_000_000L;
    private static final int MAX_CONFIRM_RESENDS = 5;
    /** FINALs that may fail for one pending handshake before it is dropped. */
    private static final int MAX_FINAL_FAILURES = 3;
    private static final byte[] PROLOGUE = HandshakeHeader.PROLOGUE.getBytes(StandardCharsets.US_ASCII);

    private static final int STAT_HANDSHAKES_STARTED = Rejection.values().length;
    private static final int STAT_HANDSHAKES_COMPLETED = STAT_HANDSHAKES_STARTED + 1;
    private static final int STAT_HANDSHAKES_ANSWERED = STAT_HANDSHAKES_STARTED + 2;
    private static final int STATS = STAT_HANDSHAKES_STARTED + 3;

    private final Transport inner;
    private final KeyPair identity;
    private final byte[] pinnedPeerKey;
    private final KnownPeers knownPeers;
    private final String knownPeersAddress;
    private final byte[] psk;
    private final HandshakePattern pattern;
    private final byte mode;
    private final Boolean explicitInitiator;
    private final int paddingBucketBytes;
    private final int maxDatagramBytes;
    private final int maxPlaintextBytes;
    private final PacketCipher sealer;
    private final PacketCipher opener;
    private final byte[] out;
    private final byte[] in;
    private final RateLimiter limiter = new RateLimiter(HANDSHAKES_PER_SOURCE_PER_SECOND, HANDSHAKE_BURST_PER_SOURCE,
            HANDSHAKES_PER_SECOND, HANDSHAKE_BURST);
    private final Pending[] pending = new Pending[PENDING_SLOTS];
    private final AtomicLongArray stats = new AtomicLongArray(STATS);

    private Transport.Events events;
    private boolean initiator;
    private Session current;
    private Session previous;
    private long previousSinceNs;
    private Attempt attempt;
    private long backoffNs = RETRY_INITIAL_NS;
    private long nextAttemptNs;
    private long lastAuthenticatedNs;
    private long lastSentNs;
    private long silenceBeforeProbeNs = SILENCE_BEFORE_PROBE_MS * 1_000_000L;
    private int refusals;
    private int responseFailures;
    private byte[] firstPeerKey;
    private boolean failed;
    private int consumed;
    private long lastWarningNs;
    private String lastWarning;
    private volatile boolean ready;
    private volatile boolean closed;
    private volatile String failure;
    private volatile String verificationCode;
    private volatile String peerFingerprint;

    /** An initiator's handshake in progress. */
    private static final class Attempt {
        final HandshakeState handshake;
        final int localIndex;
        final long startedNs;
        final KeyPair ephemeral;
        final byte[] ephemeralPublic;
        final boolean probe;
        byte[] finalDatagram;
        Session session;
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

    /** A responder's handshake waiting for its FINAL. */
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

    /**
     * @param pinnedPeerKey the only peer key accepted, or null
     * @param knownPeers remembered peers (used by the initiator), or null
     * @param knownPeersAddress the address the known peers are keyed by, or null for the wrapped transport's peer
     * @param psk a 32-byte pre-shared key (then {@code XXpsk3}), or null ({@code XX})
     * @param explicitInitiator the role, or null to derive it from the wrapped transport at open
     */
    public SecureLayer(Transport inner, KeyPair identity, byte[] pinnedPeerKey, KnownPeers knownPeers,
            String knownPeersAddress, byte[] psk, Boolean explicitInitiator, int paddingBucketBytes) {
        this.inner = inner;
        this.identity = identity;
        this.pinnedPeerKey = pinnedPeerKey == null ? null : pinnedPeerKey.clone();
        this.knownPeers = knownPeers;
        this.knownPeersAddress = knownPeersAddress;
        this.psk = psk == null ? null : psk.clone();
        this.pattern = psk == null ? HandshakePattern.XX : HandshakePattern.XX_PSK3;
        this.mode = psk == null ? HandshakeHeader.MODE_XX : HandshakeHeader.MODE_XX_PSK3;
        this.explicitInitiator = explicitInitiator;
        this.paddingBucketBytes = paddingBucketBytes;
        this.maxDatagramBytes = inner.maxPayloadBytes();
        this.maxPlaintextBytes = maxDatagramBytes - DataHeader.LENGTH - Sodium.AEAD_TAG_BYTES;
        if (maxDatagramBytes < HandshakeHeader.INIT_LENGTH + DataHeader.OVERHEAD) {
            throw new IllegalArgumentException("the wrapped transport carries at most " + maxDatagramBytes
                    + " bytes: too few for the secure layer");
        }
        this.sealer = new PacketCipher(maxDatagramBytes);
        this.opener = new PacketCipher(maxDatagramBytes);
        this.out = new byte[maxDatagramBytes];
        this.in = new byte[maxDatagramBytes + 1];
    }

    /** Opens the wrapped transport and decides the role. */
    public void open(Transport.Events events) throws IOException {
        this.events = events;
        inner.open(new InnerEvents());
        initiator = explicitInitiator != null ? explicitInitiator : inner.isReady();
        long nowNs = System.nanoTime();
        nextAttemptNs = nowNs;
        lastAuthenticatedNs = nowNs;
        if (LOG.isDebugEnabled()) {
            LOG.debug("secure layer over {} as {} ({})", inner.name(), initiator ? "initiator" : "responder",
                    pattern.protocolName());
        }
    }

    public int maxPayloadBytes() {
        return maxDatagramBytes - DataHeader.OVERHEAD;
    }

    public boolean isReady() {
        return ready && !closed;
    }

    // ---- sending ---------------------------------------------------------------------------------

    /** Seals one payload into one datagram. No allocation. */
    public int send(byte[] buffer, int offset, int length) {
        if (length > maxPayloadBytes()) {
            return Transport.ERROR_TOO_LARGE;
        }
        Session session = current;
        if (!ready || closed || session == null) {
            return Transport.NOT_READY;
        }
        if (session.nextCounter == COUNTER_LIMIT) {
            return Transport.NOT_READY;
        }
        int total = sealer.seal(session.sendKey, session.remoteIndex, session.nextCounter++, buffer, offset, length,
                paddedLength(length), out);
        int status = inner.send(out, 0, total);
        if (status != total) {
            return status < 0 ? status : Transport.ERROR_IO;
        }
        lastSentNs = System.nanoTime();
        return length;
    }

    /** Plaintext length for a payload: payload, marker, zeros up to a multiple of the bucket, capped. */
    int paddedLength(int payloadLength) {
        int bucket = paddingBucketBytes;
        long padded = ((long) payloadLength + 1 + bucket - 1) / bucket * bucket;
        return (int) Math.min(padded, maxPlaintextBytes);
    }

    private void sendConfirm(Session session, boolean toLastSource) {
        int total = sealer.seal(session.sendKey, session.remoteIndex, session.nextCounter++, out, 0, 0,
                paddedLength(0), out);
        if (toLastSource) {
            inner.reply(out, 0, total);
        } else {
            inner.send(out, 0, total);
        }
    }

    // ---- receiving -------------------------------------------------------------------------------

    /** Reads datagrams until one carries a payload for the caller (returned) or none is left (0). */
    public int receive(byte[] buffer, int offset, int capacity) {
        if (closed) {
            return 0;
        }
        for (int i = 0; i < MAX_DATAGRAMS_PER_RECEIVE; i++) {
            int length = inner.receive(in, 0, in.length);
            if (length <= 0) {
                return 0;
            }
            consumed++;
            int payload = onDatagram(length, buffer, offset, capacity);
            if (payload > 0) {
                return payload;
            }
        }
        return 0;
    }

    private int onDatagram(int length, byte[] buffer, int offset, int capacity) {
        switch (in[0]) {
            case DataHeader.TYPE:
                return onData(length, buffer, offset, capacity);
            case HandshakeHeader.TYPE_INIT:
                onInit(length);
                return 0;
            case HandshakeHeader.TYPE_RESPONSE:
                onResponse(length);
                return 0;
            case HandshakeHeader.TYPE_FINAL:
                onFinal(length);
                return 0;
            case HandshakeHeader.TYPE_NOTICE:
                onNotice(length);
                return 0;
            default:
                reject(Rejection.MALFORMED);
                return 0;
        }
    }

    private int onData(int length, byte[] buffer, int offset, int capacity) {
        if (length < DataHeader.MIN_DATAGRAM || length > maxDatagramBytes) {
            reject(Rejection.MALFORMED);
            return 0;
        }
        int index = DataHeader.receiverIndex(in, 0);
        Session session = sessionFor(index);
        if (session == null) {
            reject(Rejection.UNAUTHENTICATED);
            return 0;
        }
        long counter = DataHeader.reconstruct(session.window.highest(), DataHeader.wireCounter(in, 0));
        int payload = opener.open(session.receiveKey, counter, in, length, buffer, offset, capacity);
        if (payload == PacketCipher.UNAUTHENTICATED) {
            reject(Rejection.UNAUTHENTICATED);
            return 0;
        }
        if (!session.window.accept(counter)) {
            reject(Rejection.REPLAYED);
            return 0;
        }
        if (payload == PacketCipher.BAD_PADDING) {
            reject(Rejection.MALFORMED);
            return 0;
        }
        onAuthenticated(session, System.nanoTime(), payload > 0);
        return payload;
    }

    private Session sessionFor(int index) {
        Session c = current;
        if (c != null && c.localIndex == index) {
            return c;
        }
        Attempt a = attempt;
        if (a != null && a.session != null && a.session.localIndex == index) {
            return a.session;
        }
        Session p = previous;
        if (p != null && p.localIndex == index) {
            return p;
        }
        return null;
    }

    private void onAuthenticated(Session session, long nowNs, boolean carriesPayload) {
        session.heardFrom = true;
        if (attempt != null && session == attempt.session) {
            promote(nowNs);
        }
        if (session != current) {
            return; // a late datagram of the previous session: delivered, but it moves nothing
        }
        lastAuthenticatedNs = nowNs;
        if (carriesPayload) {
            silenceBeforeProbeNs = SILENCE_BEFORE_PROBE_MS * 1_000_000L;
        }
        inner.acceptPeer(); // roaming: a plain listener moves to this datagram's source when it differs
        if (!ready && !failed) {
            // The old session turned out to be alive after all (our probes were lost): carry on with it.
            ready = true;
            events.onReady(inner.peer());
            if (attempt != null && attempt.session == null) {
                attempt = null;
            }
            backoffNs = RETRY_INITIAL_NS;
        }
    }

    // ---- handshake: initiator --------------------------------------------------------------------

    private void startAttempt(long nowNs, boolean probe) {
        KeyPair ephemeral = KeyPair.generate();
        HandshakeState handshake = new HandshakeState(pattern, true, PROLOGUE, identity, ephemeral, null, null, psks());
        int index = newIndex();
        byte[] payload = HandshakeHeader.initPayload(mode, index);
        byte[] message = handshake.writeMessage(payload);
        byte[] datagram = new byte[HandshakeHeader.INIT_LENGTH];
        datagram[HandshakeHeader.TYPE_OFFSET] = HandshakeHeader.TYPE_INIT;
        datagram[HandshakeHeader.INIT_MODE_OFFSET] = mode;
        System.arraycopy(message, 0, datagram, HandshakeHeader.INIT_NOISE_OFFSET, message.length);
        if (attempt != null) {
            attempt.ephemeral.destroy();
        }
        attempt = new Attempt(handshake, index, nowNs, ephemeral, probe);
        stats.incrementAndGet(STAT_HANDSHAKES_STARTED);
        inner.send(datagram, 0, datagram.length);
    }

    private void onResponse(int length) {
        if (!initiator || length != HandshakeHeader.RESPONSE_LENGTH) {
            reject(Rejection.MALFORMED);
            return;
        }
        Attempt a = attempt;
        int receiver = HandshakeHeader.getInt(in, HandshakeHeader.RESPONSE_RECEIVER_OFFSET);
        long nowNs = System.nanoTime();
        if (a == null || a.localIndex != receiver || a.finalDatagram != null
                || nowNs - a.startedNs > RESPONSE_WINDOW_NS) {
            reject(Rejection.UNAUTHENTICATED);
            return;
        }
        byte[] message = Arrays.copyOfRange(in, HandshakeHeader.RESPONSE_NOISE_OFFSET, length);
        byte[] payload = a.handshake.readMessage(message);
        if (payload == null) {
            attempt = null;
            nextAttemptNs = a.startedNs + backoffNs;
            reject(Rejection.UNAUTHENTICATED);
            if (++responseFailures >= 3) {
                fail("the handshake replies of the peer at " + inner.peer() + " fail authentication: it speaks another"
                        + " version of the secure protocol, or someone on the path tampers with them");
            }
            a.ephemeral.destroy();
            return;
        }
        if (!HandshakeHeader.isValid(payload, HandshakeHeader.RESPONSE_PAYLOAD_LENGTH, HandshakeHeader.RESPONSE_PAYLOAD_LENGTH)) {
            attempt = null;
            a.ephemeral.destroy();
            fail("the peer at " + inner.peer() + " speaks version " + payload[0]
                    + " of the secure protocol; this side speaks " + HandshakeHeader.PROTOCOL_VERSION);
            return;
        }
        a.ephemeral.destroy();
        byte[] peerKey = a.handshake.remoteStatic();
        if (pinnedPeerKey != null && !MessageDigest.isEqual(peerKey, pinnedPeerKey)) {
            attempt = null;
            fail("the peer at " + inner.peer() + " presented the key " + Identity.fingerprintOf(peerKey)
                    + " but --peer-key expects " + Identity.fingerprintOf(pinnedPeerKey)
                    + ": someone may be intercepting the call, or the peer uses another identity. No audio was sent.");
            return;
        }
        if (firstPeerKey != null && !MessageDigest.isEqual(peerKey, firstPeerKey)) {
            attempt = null;
            fail("the peer at " + inner.peer() + " came back with another key (" + Identity.fingerprintOf(peerKey)
                    + " instead of " + Identity.fingerprintOf(firstPeerKey) + "): refusing to continue the call with it");
            return;
        }
        if (firstPeerKey == null && knownPeers != null) {
            String address = knownPeersAddress();
            if (address != null && knownPeers.check(address, peerKey) == KnownPeers.Match.CHANGED) {
                warn("WARNING: THE KEY OF " + address + " HAS CHANGED. Known: " + knownPeers.fingerprint(address)
                        + ", now: " + Identity.fingerprintOf(peerKey) + ". Someone may be intercepting this call:"
                        + " compare the verification code by voice before you trust it. If the peer really has a new"
                        + " identity, delete its line from " + knownPeers.file() + ".", true);
            }
        }
        int responder = HandshakeHeader.getInt(payload, HandshakeHeader.RESPONSE_PAYLOAD_SENDER_OFFSET);
        byte[] finalMessage = a.handshake.writeMessage(HandshakeHeader.payload(HandshakeHeader.FINAL_PAYLOAD_LENGTH));
        byte[] datagram = new byte[HandshakeHeader.FINAL_LENGTH];
        datagram[HandshakeHeader.TYPE_OFFSET] = HandshakeHeader.TYPE_FINAL;
        HandshakeHeader.putInt(datagram, HandshakeHeader.FINAL_RECEIVER_OFFSET, responder);
        System.arraycopy(finalMessage, 0, datagram, HandshakeHeader.FINAL_NOISE_OFFSET, finalMessage.length);
        a.session = new Session(a.handshake, a.localIndex, responder);
        a.finalDatagram = datagram;
        a.finalSends = 1;
        a.lastFinalNs = System.nanoTime();
        inner.send(datagram, 0, datagram.length);
    }

    private void onNotice(int length) {
        Attempt a = attempt;
        if (!initiator || length != HandshakeHeader.NOTICE_LENGTH || a == null || a.finalDatagram != null
                || HandshakeHeader.getInt(in, HandshakeHeader.NOTICE_RECEIVER_OFFSET) != a.localIndex
                || in[HandshakeHeader.NOTICE_MODE_OFFSET] == mode) {
            reject(Rejection.MALFORMED);
            return;
        }
        attempt = null;
        a.ephemeral.destroy();
        fail(psk == null
                ? "the peer at " + inner.peer() + " requires a shared secret (--secret or VIZ_SECRET) and this side has"
                        + " none: the handshake failed, no audio was sent"
                : "the peer at " + inner.peer() + " has no shared secret but this side has one (--secret or"
                        + " VIZ_SECRET): the handshake failed, no audio was sent");
    }

    /** The responder confirmed the attempt's session: it becomes current. */
    private void promote(long nowNs) {
        Attempt a = attempt;
        attempt = null;
        Session session = a.session;
        retire(current, nowNs);
        current = session;
        backoffNs = RETRY_INITIAL_NS;
        responseFailures = 0;
        refusals = 0;
        lastAuthenticatedNs = nowNs;
        if (a.probe) {
            silenceBeforeProbeNs = Math.min(silenceBeforeProbeNs * 2, SILENCE_BEFORE_PROBE_MAX_MS * 1_000_000L);
        }
        if (firstPeerKey == null) {
            firstPeerKey = session.remoteStatic.clone();
            rememberPeer(session.remoteStatic);
        }
        completed(session);
    }

    private void rememberPeer(byte[] peerKey) {
        String address = knownPeersAddress();
        if (knownPeers == null || address == null) {
            return;
        }
        try {
            knownPeers.remember(address, peerKey);
        } catch (IOException e) {
            warn("cannot remember the peer's key in " + knownPeers.file() + ": " + e.getMessage(), true);
        }
    }

    private String knownPeersAddress() {
        return knownPeersAddress != null ? knownPeersAddress : inner.peer();
    }

    // ---- handshake: responder --------------------------------------------------------------------

    private void onInit(int length) {
        if (length != HandshakeHeader.INIT_LENGTH) {
            reject(Rejection.MALFORMED);
            return;
        }
        if (initiator) {
            Attempt a = attempt;
            boolean simultaneous = explicitInitiator == null && current == null && a != null && a.session == null
                    && Arrays.compareUnsigned(a.ephemeralPublic, 0, 32, in, HandshakeHeader.INIT_NOISE_OFFSET,
                            HandshakeHeader.INIT_NOISE_OFFSET + 32) > 0;
            if (!simultaneous) {
                reject(Rejection.MALFORMED);
                return;
            }
            // Both ends called each other (a symmetric transport): the one with the greater ephemeral key answers.
            initiator = false;
            attempt = null;
            a.ephemeral.destroy();
        }
        long nowNs = System.nanoTime();
        if (!limiter.tryAcquire(inner.lastSourceKey(), nowNs)) {
            reject(Rejection.RATE_LIMITED);
            return;
        }
        byte declared = in[HandshakeHeader.INIT_MODE_OFFSET];
        if (declared != HandshakeHeader.MODE_XX && declared != HandshakeHeader.MODE_XX_PSK3) {
            reject(Rejection.MALFORMED);
            return;
        }
        boolean sameMode = declared == mode;
        KeyPair ephemeral = sameMode ? KeyPair.generate() : null;
        // An INIT of the other mode is read under that mode (its first message needs no key) to find where to
        // send the NOTICE.
        HandshakeState handshake = sameMode
                ? new HandshakeState(pattern, false, PROLOGUE, identity, ephemeral, null, null, psks())
                : new HandshakeState(psk == null ? HandshakePattern.XX_PSK3 : HandshakePattern.XX, false, PROLOGUE,
                        identity, null, null, null, psk == null ? new byte[][] {new byte[32]} : new byte[0][]);
        byte[] initMessage = Arrays.copyOfRange(in, HandshakeHeader.INIT_NOISE_OFFSET, length);
        byte[] payload = handshake.readMessage(initMessage);
        if (!HandshakeHeader.isValid(payload, HandshakeHeader.initPayloadLength(declared),
                HandshakeHeader.INIT_PAYLOAD_USED)) {
            if (payload != null && payload.length > 0 && payload[0] != HandshakeHeader.PROTOCOL_VERSION) {
                warn("a caller speaks version " + payload[0] + " of the secure protocol; this side speaks "
                        + HandshakeHeader.PROTOCOL_VERSION, false);
            }
            reject(Rejection.MALFORMED);
            return;
        }
        if (!sameMode) {
            warn(psk == null
                    ? "a caller uses a shared secret (--secret or VIZ_SECRET) but this side has none: refused"
                    : "a caller has no shared secret but this side requires one (--secret or VIZ_SECRET): refused",
                    false);
            byte[] notice = new byte[HandshakeHeader.NOTICE_LENGTH];
            notice[HandshakeHeader.TYPE_OFFSET] = HandshakeHeader.TYPE_NOTICE;
            HandshakeHeader.putInt(notice, HandshakeHeader.NOTICE_RECEIVER_OFFSET,
                    HandshakeHeader.getInt(payload, HandshakeHeader.INIT_PAYLOAD_SENDER_OFFSET));
            notice[HandshakeHeader.NOTICE_MODE_OFFSET] = mode;
            reject(Rejection.UNAUTHENTICATED);
            inner.reply(notice, 0, notice.length);
            return;
        }
        int index = newIndex();
        byte[] responsePayload = HandshakeHeader.responsePayload(index);
        byte[] message;
        try {
            message = handshake.writeMessage(responsePayload);
        } catch (IllegalStateException e) {
            reject(Rejection.MALFORMED); // a low-order ephemeral key
            return;
        }
        int initiatorIndex = HandshakeHeader.getInt(payload, HandshakeHeader.INIT_PAYLOAD_SENDER_OFFSET);
        byte[] datagram = new byte[HandshakeHeader.RESPONSE_LENGTH];
        datagram[HandshakeHeader.TYPE_OFFSET] = HandshakeHeader.TYPE_RESPONSE;
        HandshakeHeader.putInt(datagram, HandshakeHeader.RESPONSE_RECEIVER_OFFSET, initiatorIndex);
        System.arraycopy(message, 0, datagram, HandshakeHeader.RESPONSE_NOISE_OFFSET, message.length);
        storePending(new Pending(handshake, index, initiatorIndex, nowNs, initMessage, ephemeral, responsePayload));
        stats.incrementAndGet(STAT_HANDSHAKES_ANSWERED);
        inner.reply(datagram, 0, datagram.length);
    }

    /** The responder's state right after its RESPONSE, again: the same INIT, ephemeral key and payload. */
    private HandshakeState rebuild(Pending p) {
        HandshakeState handshake = new HandshakeState(pattern, false, PROLOGUE, identity, p.ephemeral, null, null, psks());
        handshake.readMessage(p.initMessage);
        handshake.writeMessage(p.responsePayload);
        return handshake;
    }

    private void storePending(Pending p) {
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

    private void onFinal(int length) {
        if (initiator || length != HandshakeHeader.FINAL_LENGTH) {
            reject(Rejection.MALFORMED);
            return;
        }
        int index = HandshakeHeader.getInt(in, HandshakeHeader.FINAL_RECEIVER_OFFSET);
        Pending p = null;
        int slot = -1;
        for (int i = 0; i < pending.length; i++) {
            if (pending[i] != null && pending[i].localIndex == index) {
                p = pending[i];
                slot = i;
                break;
            }
        }
        if (p == null) {
            Session c = current;
            if (c != null && c.localIndex == index && c.finalMessage != null
                    && Arrays.equals(c.finalMessage, 0, c.finalMessage.length, in, 0, length)) {
                reject(Rejection.REPLAYED);
                if (!c.heardFrom && c.confirmsResent < MAX_CONFIRM_RESENDS) {
                    c.confirmsResent++; // our confirmation was lost: the initiator repeats its FINAL
                    sendConfirm(c, true);
                }
                return;
            }
            reject(Rejection.UNAUTHENTICATED);
            return;
        }
        byte[] payload = p.handshake.readMessage(Arrays.copyOfRange(in, HandshakeHeader.FINAL_NOISE_OFFSET, length));
        if (payload == null) {
            reject(Rejection.UNAUTHENTICATED);
            if (psk != null && p.handshake.failedOnPayload()) {
                warn("a caller's handshake failed the shared-secret check: its secret (--secret or VIZ_SECRET) differs"
                        + " from this side's, or it has none. Refused; no audio flows.", false);
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
            reject(Rejection.MALFORMED);
            return;
        }
        byte[] peerKey = p.handshake.remoteStatic();
        if (pinnedPeerKey != null && !MessageDigest.isEqual(peerKey, pinnedPeerKey)) {
            reject(Rejection.UNAUTHENTICATED);
            warn("refused a caller with the key " + Identity.fingerprintOf(peerKey) + ": --peer-key accepts only "
                    + Identity.fingerprintOf(pinnedPeerKey), false);
            return;
        }
        Session c = current;
        if (c != null && !MessageDigest.isEqual(peerKey, c.remoteStatic)) {
            reject(Rejection.UNAUTHENTICATED);
            warn("refused a handshake from another key (" + Identity.fingerprintOf(peerKey)
                    + ") during the call with " + c.peerFingerprint, false);
            return;
        }
        long nowNs = System.nanoTime();
        Session session = new Session(p.handshake, p.localIndex, p.remoteIndex);
        session.finalMessage = Arrays.copyOf(in, length);
        retire(current, nowNs);
        current = session;
        lastAuthenticatedNs = nowNs;
        inner.acceptPeer(); // the wrapped listener now sends to where this FINAL came from
        sendConfirm(session, false);
        completed(session);
    }

    private void completed(Session session) {
        stats.incrementAndGet(STAT_HANDSHAKES_COMPLETED);
        verificationCode = session.verificationCode;
        peerFingerprint = session.peerFingerprint;
        if (!ready) {
            ready = true;
            events.onReady(inner.peer());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("secured with {} (code {})", session.peerFingerprint, session.verificationCode);
        }
        events.onSecured(session.peerFingerprint, session.verificationCode);
    }

    private void retire(Session old, long nowNs) {
        if (previous != null && previous != old) {
            previous.destroy();
        }
        previous = old;
        previousSinceNs = nowNs;
    }

    // ---- timers ----------------------------------------------------------------------------------

    /** Handshake timers; returns the work done, including datagrams consumed since the last call. */
    public int doWork(long nowNs) {
        int work = consumed;
        consumed = 0;
        if (closed || failed) {
            return work;
        }
        if (previous != null && nowNs - previousSinceNs > PREVIOUS_SESSION_LIFETIME_NS) {
            previous.destroy();
            previous = null;
        }
        if (initiator) {
            work += initiatorTimers(nowNs);
        } else {
            for (int i = 0; i < pending.length; i++) {
                if (pending[i] != null && nowNs - pending[i].startedNs > PENDING_LIFETIME_NS) {
                    pending[i].ephemeral.destroy();
                    pending[i] = null;
                    work++;
                }
            }
        }
        return work;
    }

    private int initiatorTimers(long nowNs) {
        Attempt a = attempt;
        if (a == null) {
            if (nowNs - nextAttemptNs < 0) {
                return 0;
            }
            Session c = current;
            if (c == null || !ready) {
                startAttempt(nowNs, c != null);
                return 1;
            }
            boolean quiet = lastSentNs - lastAuthenticatedNs > 0 && nowNs - lastAuthenticatedNs >= silenceBeforeProbeNs;
            if (quiet || c.nextCounter >= COUNTER_LIMIT - 1) {
                startAttempt(nowNs, true); // the peer went quiet while we talk: is it still there?
                return 1;
            }
            return 0;
        }
        if (a.finalDatagram == null) {
            if (nowNs - a.startedNs < backoffNs) {
                return 0;
            }
            if (ready && current != null) {
                ready = false;
                events.onNotReady("no answer from " + inner.peer() + " for "
                        + (nowNs - lastAuthenticatedNs) / 1_000_000L + " ms: re-handshaking");
            }
            backoffNs = Math.min(backoffNs * 2, RETRY_MAX_NS);
            startAttempt(nowNs, a.probe);
            return 1;
        }
        if (nowNs - a.lastFinalNs < FINAL_RETRANSMIT_NS) {
            return 0;
        }
        if (a.finalSends >= FINAL_SENDS) {
            a.session.destroy();
            attempt = null;
            nextAttemptNs = nowNs + backoffNs;
            if (++refusals >= 2) {
                fail("the peer at " + inner.peer() + " answered but refused this side's final handshake message: the"
                        + " shared secrets (--secret or VIZ_SECRET) differ, or the peer accepts only another key"
                        + " (--peer-key on its side). No audio was sent.");
            }
            return 1;
        }
        a.finalSends++;
        a.lastFinalNs = nowNs;
        inner.send(a.finalDatagram, 0, a.finalDatagram.length);
        return 1;
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private byte[][] psks() {
        return psk == null ? new byte[0][] : new byte[][] {psk};
    }

    private int newIndex() {
        byte[] random = new byte[4];
        while (true) {
            Sodium.random(random);
            int index = HandshakeHeader.getInt(random, 0);
            if (index != 0 && sessionFor(index) == null && (attempt == null || attempt.localIndex != index)
                    && !isPending(index)) {
                return index;
            }
        }
    }

    private boolean isPending(int index) {
        for (Pending p : pending) {
            if (p != null && p.localIndex == index) {
                return true;
            }
        }
        return false;
    }

    private void reject(Rejection why) {
        stats.incrementAndGet(why.ordinal());
        events.onRejected(why);
    }

    /** Reports a problem that retrying will not fix: the call cannot go on. */
    private void fail(String reason) {
        if (failed) {
            return;
        }
        failed = true;
        ready = false;
        failure = reason;
        LOG.warn("{}", reason);
        events.onFailed(reason);
    }

    /** Reports a problem that does not end the call; strangers' handshakes cannot flood the user with them. */
    private void warn(String message, boolean always) {
        long nowNs = System.nanoTime();
        if (!always && message.equals(lastWarning) && nowNs - lastWarningNs < WARNING_INTERVAL_NS) {
            return;
        }
        lastWarning = message;
        lastWarningNs = nowNs;
        LOG.warn("{}", message);
        events.onWarning(message);
    }

    public void close() {
        closed = true;
        ready = false;
        inner.close();
    }

    // ---- queries (any thread) ----------------------------------------------------------------------

    public boolean isInitiator() {
        return initiator;
    }

    public long rejected(Rejection why) {
        return stats.get(why.ordinal());
    }

    public long handshakesStarted() {
        return stats.get(STAT_HANDSHAKES_STARTED);
    }

    public long handshakesAnswered() {
        return stats.get(STAT_HANDSHAKES_ANSWERED);
    }

    public long handshakesCompleted() {
        return stats.get(STAT_HANDSHAKES_COMPLETED);
    }

    public String failure() {
        return failure;
    }

    public String verificationCode() {
        return verificationCode;
    }

    public String peerFingerprint() {
        return peerFingerprint;
    }

    /** Forwards the wrapped transport's events that matter to the session. */
    private final class InnerEvents implements Transport.Events {
        @Override
        public void onPeerMoved(String peer) {
            if (current != null) {
                events.onPeerMoved(peer);
            }
        }

        @Override
        public void onNotReady(String reason) {
            events.onNotReady(reason);
        }

        @Override
        public void onRejected(Rejection why) {
            reject(why);
        }

        @Override
        public void onFailed(String reason) {
            events.onFailed(reason);
        }

        @Override
        public void onWarning(String message) {
            events.onWarning(message);
        }
    }
}
