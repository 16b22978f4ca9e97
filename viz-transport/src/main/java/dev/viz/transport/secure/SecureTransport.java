package dev.viz.transport.secure;

import dev.viz.core.Transport;
import dev.viz.transport.secure.internal.DataHeader;
import dev.viz.transport.secure.internal.DataPath;
import dev.viz.transport.secure.internal.HandshakeHeader;
import dev.viz.transport.secure.internal.InitiatorHandshake;
import dev.viz.transport.secure.internal.NoiseSetup;
import dev.viz.transport.secure.internal.PeerTrust;
import dev.viz.transport.secure.internal.ResponderHandshake;
import dev.viz.transport.secure.internal.RetrySchedule;
import dev.viz.transport.secure.internal.SecretStretcher;
import dev.viz.transport.secure.internal.SecureStatus;
import dev.viz.transport.secure.internal.Session;
import dev.viz.transport.secure.internal.Sodium;
import java.io.IOException;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end encryption and authentication for any {@link Transport}: a decorator that runs a Noise
 * {@code XX} handshake ({@code XXpsk3} with a shared secret) over {@code 25519_ChaChaPoly_BLAKE2b}
 * on libsodium, then seals every payload in one ChaCha20-Poly1305 datagram with a per-direction
 * key, the 64-bit counter as nonce and the header as associated data. The relay in the middle sees
 * sizes and timing, nothing else. Constant-bitrate Opus (the codec's default) keeps sizes from
 * following speech (RFC 6562); {@link Builder#paddingBucketBytes} pads further when wanted.
 * Formats: docs/protocol-secure.md; threat model: docs/security.md.
 *
 * <pre>{@code
 * Transport secure = SecureTransport.wrap(UdpTransport.connect("example.net", 8443))
 *         .identity(Identity.loadOrCreateDefault())
 *         .peerKey("3q2gk...")                 // optional: refuse any other key
 *         .knownPeers(KnownPeers.openDefault(), "example.net:8443")
 *         .secret(System.getenv("VIZ_SECRET").toCharArray())  // optional: XXpsk3
 *         .build();
 * }</pre>
 *
 * <p>Handshake messages are consumed inside {@link #receive} (which then returns 0). Events:
 * {@code onReady} once authenticated, {@code onSecured(fingerprint, code)} after every handshake,
 * {@code onNotReady} while the calling side re-handshakes (the peer stopped answering),
 * {@code onPeerMoved} when the peer roams, {@code onFailed} for a wrong key or secret on the calling
 * side, {@code onWarning} for a refused caller on the listening side or a remembered key that
 * changed, {@code onRejected} for every dropped datagram.
 *
 * <p>Inside, one part per job (package {@code secure.internal}, not exported): {@code DataPath}
 * holds the sessions and seals and opens data datagrams with them, {@code InitiatorHandshake} and
 * {@code ResponderHandshake} run the two roles and install the sessions they make in the data
 * path, {@code RetrySchedule} says when to (re)try from the times the data path keeps,
 * {@code PeerTrust} which keys to accept, {@code SecureStatus} raises the events and keeps the
 * counters. This class owns them and hands each received datagram to the one its type names
 * (docs/protocol-secure.md, "Inside the layer"). A data datagram in a steady call goes through
 * this class, {@code DataPath} and {@code SecureStatus.isReady()} only.
 *
 * <p>Clock: none of its own. {@link #doWork(long)} brings the time, which also stamps what the
 * following {@link #receive} and {@link #send} calls do until the next {@code doWork}.
 *
 * <p>Threads: as {@link Transport} says; {@link #role()}, the codes, the failure and the counters
 * may be read from any thread.
 */
public final class SecureTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(SecureTransport.class);

    /** Which end of the handshake this side plays. */
    public enum Role {
        /** Sends the first handshake message and re-handshakes when the peer goes away: the calling side. */
        INITIATOR,
        /** Answers handshakes: the listening side. */
        RESPONDER
    }

    /**
     * No padding beyond the one marker byte by default: with constant-bitrate Opus every audio batch
     * of a call already has the same length, and small buckets would not hide what they could
     * (docs/security.md, "Datagram lengths").
     */
    public static final int DEFAULT_PADDING_BUCKET_BYTES = 1;
    /** What the secure layer adds to a payload at least: 9-byte header, 1 padding byte, 16-byte tag. */
    public static final int OVERHEAD_BYTES = 26;

    /** Datagrams one {@link #receive} call reads at most before it returns 0 (handshakes and forgeries). */
    public static final int MAX_DATAGRAMS_PER_RECEIVE = 256;

    private final Transport inner;
    private final Identity identity;
    private final Boolean explicitInitiator;
    private final NoiseSetup noise;
    private final SecureStatus status = new SecureStatus();
    private final DataPath data;
    private final RetrySchedule schedule;
    private final InitiatorHandshake initiatorHandshake;
    private final ResponderHandshake responderHandshake;
    private final byte[] in;
    /** Read by {@link #role()} from any thread; changes once at most, when simultaneous handshakes resolve. */
    private volatile boolean initiator;
    private volatile boolean closed;
    /** The time of the last {@link #doWork}: the clock of everything {@link #receive} and {@link #send} do. */
    private long nowNs;
    private boolean started;
    private int consumed;
    /** The session whose path key the wrapped transport last received (only if it is a {@link SessionKeyListener}). */
    private dev.viz.transport.secure.internal.Session keyed;

    private SecureTransport(Transport inner, Identity identity, byte[] pinnedPeerKey, KnownPeers knownPeers,
            String knownPeersAddress, byte[] psk, Boolean explicitInitiator, int paddingBucketBytes) {
        int maxDatagramBytes = inner.maxPayloadBytes();
        if (maxDatagramBytes < HandshakeHeader.INIT_LENGTH + DataHeader.OVERHEAD) {
            throw new IllegalArgumentException("the wrapped transport carries at most " + maxDatagramBytes
                    + " bytes: too few for the secure layer");
        }
        this.inner = inner;
        this.identity = identity;
        this.explicitInitiator = explicitInitiator;
        this.in = new byte[maxDatagramBytes + 1];
        this.noise = new NoiseSetup(identity.keyPair(), psk);
        PeerTrust trust = new PeerTrust(pinnedPeerKey, knownPeers, knownPeersAddress, status);
        IntSupplier newIndex = this::newIndex;
        this.data = new DataPath(inner, status, paddingBucketBytes);
        this.schedule = new RetrySchedule(data);
        this.initiatorHandshake = new InitiatorHandshake(inner, noise, data, schedule, trust, status, newIndex);
        this.responderHandshake = new ResponderHandshake(inner, noise, data, trust, status, newIndex);
    }

    /** Starts building a secure layer over {@code inner} (a plain transport, not yet opened). */
    public static Builder wrap(Transport inner) {
        return new Builder(Objects.requireNonNull(inner, "inner"));
    }

    /** Whether libsodium can be used here; when false, {@link #unavailabilityCause()} says why. */
    public static boolean isAvailable() {
        return Sodium.isAvailable();
    }

    /** Why the secure layer cannot run here, or null. */
    public static Throwable unavailabilityCause() {
        return Sodium.unavailabilityCause();
    }

    @Override
    public String name() {
        return "noise " + inner.name();
    }

    /** Opens the wrapped transport and decides the role. The first handshake starts at the first {@link #doWork}. */
    @Override
    public void open(Events events) throws IOException {
        status.events(Objects.requireNonNull(events, "events"));
        inner.open(new InnerEvents());
        initiator = explicitInitiator != null ? explicitInitiator : inner.isReady();
        if (LOG.isDebugEnabled()) {
            LOG.debug("secure layer over {} as {} ({})", inner.name(), initiator ? "initiator" : "responder",
                    noise.pattern().protocolName());
        }
    }

    /** The wrapped transport's limit minus {@value #OVERHEAD_BYTES} bytes. */
    @Override
    public int maxPayloadBytes() {
        return data.maxPayloadBytes();
    }

    /** True once a handshake authenticated the peer, false while re-handshaking or after a failure. */
    @Override
    public boolean isReady() {
        return status.isReady() && !closed;
    }

    /** Seals one payload into one datagram of the current session. No allocation. */
    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (length > data.maxPayloadBytes()) {
            return ERROR_TOO_LARGE;
        }
        if (!isReady()) {
            return NOT_READY;
        }
        return data.send(buffer, offset, length, nowNs);
    }

    /** Reads datagrams until one carries a payload for the caller (returned) or none is left (0). */
    @Override
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

    /** One datagram, by type: data is opened, handshake messages go to the role's handshake. */
    private int onDatagram(int length, byte[] buffer, int offset, int capacity) {
        switch (in[0]) {
            case DataHeader.TYPE:
                int payload = data.open(in, length, buffer, offset, capacity, nowNs);
                if (payload >= 0) {
                    onAuthenticated(data.opened());
                }
                return payload;
            case HandshakeHeader.TYPE_INIT:
                if (length != HandshakeHeader.INIT_LENGTH || initiator && !yieldToSimultaneousInit()) {
                    status.reject(Rejection.MALFORMED);
                } else {
                    responderHandshake.onInit(in, length, nowNs);
                }
                return 0;
            case HandshakeHeader.TYPE_RESPONSE:
                if (!initiator || length != HandshakeHeader.RESPONSE_LENGTH) {
                    status.reject(Rejection.MALFORMED);
                } else {
                    initiatorHandshake.onResponse(in, length, nowNs);
                }
                return 0;
            case HandshakeHeader.TYPE_FINAL:
                if (initiator || length != HandshakeHeader.FINAL_LENGTH) {
                    status.reject(Rejection.MALFORMED);
                } else {
                    responderHandshake.onFinal(in, length, nowNs);
                }
                return 0;
            case HandshakeHeader.TYPE_NOTICE:
                if (!initiator) {
                    status.reject(Rejection.MALFORMED);
                } else {
                    initiatorHandshake.onNotice(in, length);
                }
                return 0;
            default:
                status.reject(Rejection.MALFORMED);
                return 0;
        }
    }

    /**
     * Both ends called each other over a symmetric transport (the role was derived, not set): the one
     * with the greater ephemeral key becomes the responder.
     */
    private boolean yieldToSimultaneousInit() {
        if (explicitInitiator != null || !initiatorHandshake.yieldsTo(in)) {
            return false;
        }
        initiator = false;
        return true;
    }

    /** A datagram of {@code session} authenticated (the data path noted when). */
    private void onAuthenticated(Session session) {
        if (session == data.candidate()) {
            initiatorHandshake.confirmed(nowNs); // the responder has the new session's keys: it becomes current
        }
        if (session != data.current()) {
            return; // a late datagram of the previous session: delivered, but it moves nothing
        }
        inner.acceptPeer(); // roaming: a plain listener moves to this datagram's source when it differs
        // A current session heard while re-handshaking (our probes were lost) makes the layer ready
        // again: the initiator's timers see it in DataPath's last-heard time.
    }

    /**
     * Handshake timers at {@code nowNs}, which also becomes the time of the {@link #receive} and
     * {@link #send} calls until the next call; then the wrapped transport's timers. Returns the work
     * done, including datagrams consumed since the last call.
     */
    @Override
    public int doWork(long nowNs) {
        this.nowNs = nowNs;
        if (!started) {
            started = true;
            schedule.start(nowNs);
        }
        int work = consumed;
        consumed = 0;
        if (!closed && !status.isFailed()) {
            data.expire(nowNs);
            work += initiator ? initiatorHandshake.doWork(nowNs) : responderHandshake.doWork(nowNs);
            handOverPathKey();
        }
        return work + inner.doWork(nowNs);
    }

    /** Gives the wrapped transport the path key of a session that became current since the last call. */
    private void handOverPathKey() {
        dev.viz.transport.secure.internal.Session current = data.current();
        if (current != keyed && current != null && inner instanceof SessionKeyListener listener) {
            keyed = current;
            listener.onSessionKey(current.pathKey(), initiator);
        }
    }

    /** A receiver index in use by no session and no handshake. */
    private int newIndex() {
        byte[] random = new byte[4];
        while (true) {
            Sodium.random(random);
            int index = HandshakeHeader.getInt(random, 0);
            if (index != 0 && data.find(index) == null
                    && !initiatorHandshake.uses(index) && !responderHandshake.uses(index)) {
                return index;
            }
        }
    }

    /** Does nothing: the secure layer moves the wrapped transport itself, and only for authenticated datagrams. */
    @Override
    public void acceptPeer() {
    }

    @Override
    public long wireBytesSent() {
        return inner.wireBytesSent();
    }

    @Override
    public long wireBytesReceived() {
        return inner.wireBytesReceived();
    }

    @Override
    public boolean isSecure() {
        return true;
    }

    /** What the transport below answers: the handshake's timers run from {@link #doWork}, nothing is held here. */
    @Override
    public boolean registerReads(Selector selector) {
        return !closed && inner.registerReads(selector);
    }

    @Override
    public boolean isReliableStream() {
        return inner.isReliableStream();
    }

    @Override
    public String peer() {
        return inner.peer();
    }

    @Override
    public void close() {
        closed = true;
        status.closed();
        inner.close();
    }

    /** This side's identity. */
    public Identity identity() {
        return identity;
    }

    /** The role played, known after {@link #open} (derived from the wrapped transport unless set). Any thread. */
    public Role role() {
        return initiator ? Role.INITIATOR : Role.RESPONDER;
    }

    /** The verification code of the last handshake ({@code "123 456"}), or null before the first. Any thread. */
    public String verificationCode() {
        return status.verificationCode();
    }

    /** The peer's fingerprint once authenticated, or null. Any thread. */
    public String peerFingerprint() {
        return status.peerFingerprint();
    }

    /** Why the secure layer gave up (wrong key, wrong secret), or null. Any thread. */
    public String failure() {
        return status.failure();
    }

    /** Datagrams dropped for {@code why} (this layer's and the wrapped transport's). Any thread. */
    public long rejectedCount(Rejection why) {
        return status.rejected(why);
    }

    /** Handshakes this side completed (the first and every re-handshake). Any thread. */
    public long handshakesCompleted() {
        return status.handshakesCompleted();
    }

    /** Handshakes this side started as the initiator (every attempt, retries included). Any thread. */
    public long handshakesStarted() {
        return status.handshakesStarted();
    }

    /** Handshake initiations this side answered as the responder (after the rate limits). Any thread. */
    public long handshakesAnswered() {
        return status.handshakesAnswered();
    }

    @Override
    public String toString() {
        return name();
    }

    /** Passes on the wrapped transport's events that matter to the session. */
    private final class InnerEvents implements Events {
        @Override
        public void onPeerMoved(String peer) {
            if (data.current() != null) {
                status.peerMoved(peer);
            }
        }

        @Override
        public void onNotReady(String reason) {
            status.notReadyBelow(reason);
        }

        @Override
        public void onRejected(Rejection why) {
            status.reject(why);
        }

        @Override
        public void onFailed(String reason) {
            status.failedBelow(reason);
        }

        @Override
        public void onWarning(String message) {
            status.warnedBelow(message);
        }
    }

    /**
     * Configures a {@link SecureTransport}. Not thread-safe. Every setting has a default except the
     * transport: the user's default identity, no pin, no known peers, no secret, the role derived
     * from the wrapped transport (a transport that knows its peer when opened calls; one that
     * waits for its peer answers), no padding beyond the marker byte.
     */
    public static final class Builder {
        private final Transport inner;
        private Identity identity;
        private byte[] peerKey;
        private KnownPeers knownPeers;
        private String knownPeersAddress;
        private char[] secret;
        private byte[] presharedKey;
        private Role role;
        private int paddingBucketBytes = DEFAULT_PADDING_BUCKET_BYTES;

        private Builder(Transport inner) {
            this.inner = inner;
        }

        /** This side's identity; {@link Identity#loadOrCreateDefault()} when not set. */
        public Builder identity(Identity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /**
         * Accepts only the peer whose key has this fingerprint ({@code --peer-key}): the handshake
         * fails with a clear error on any other key.
         *
         * @throws IllegalArgumentException when the text is not a fingerprint
         */
        public Builder peerKey(String fingerprint) {
            this.peerKey = fingerprint == null ? null : Identity.parseFingerprint(fingerprint);
            return this;
        }

        /**
         * Remembers the key of the peer at {@code address} on the first call and warns loudly when a
         * later call meets another key. Used by the calling side; {@code address} is what the user
         * typed ({@code example.net:8443}), or null for the wrapped transport's peer address.
         */
        public Builder knownPeers(KnownPeers knownPeers, String address) {
            this.knownPeers = knownPeers;
            this.knownPeersAddress = address;
            return this;
        }

        /**
         * A secret both users typed ({@code --secret} or {@code VIZ_SECRET}), stretched with Argon2id
         * into the Noise PSK: a peer without the same secret cannot complete the handshake. The
         * array is copied; {@link #build()} takes about half a second and 256 MiB for the stretch.
         */
        public Builder secret(char[] secret) {
            this.secret = secret == null ? null : secret.clone();
            this.presharedKey = null;
            return this;
        }

        /** A 32-byte pre-shared key used as it is (for keys from elsewhere; people should use {@link #secret}). */
        public Builder presharedKey(byte[] key) {
            if (key != null && key.length != 32) {
                throw new IllegalArgumentException("a pre-shared key has 32 bytes, not " + key.length);
            }
            this.presharedKey = key == null ? null : key.clone();
            this.secret = null;
            return this;
        }

        /** The role; derived from the wrapped transport when not set (needed for symmetric transports only in odd cases). */
        public Builder role(Role role) {
            this.role = role;
            return this;
        }

        /**
         * Pads every datagram's plaintext (payload and marker byte) to a multiple of this many bytes:
         * 1 (the default) adds only the marker; 64 or more blurs variable-bitrate audio; the wrapped
         * transport's limit or more makes every datagram the same size, so not even silence shows,
         * at the cost of full-size datagrams all the time.
         */
        public Builder paddingBucketBytes(int paddingBucketBytes) {
            if (paddingBucketBytes < 1) {
                throw new IllegalArgumentException("padding bucket " + paddingBucketBytes + ": use 1 or more");
            }
            this.paddingBucketBytes = paddingBucketBytes;
            return this;
        }

        /**
         * Builds the secure layer (not yet open).
         *
         * @throws IOException when the default identity cannot be loaded or created (the message names the file)
         * @throws IllegalStateException when libsodium cannot be loaded (the message says what to install)
         */
        public SecureTransport build() throws IOException {
            Sodium.ensureAvailable();
            Identity id = identity != null ? identity : Identity.loadOrCreateDefault();
            byte[] psk = secret != null ? SecretStretcher.psk(secret) : presharedKey;
            Boolean initiator = role == null ? null : role == Role.INITIATOR;
            SecureTransport secure = new SecureTransport(inner, id, peerKey, knownPeers, knownPeersAddress, psk,
                    initiator, paddingBucketBytes);
            if (secret != null) {
                Arrays.fill(psk, (byte) 0);
            }
            return secure;
        }
    }
}
