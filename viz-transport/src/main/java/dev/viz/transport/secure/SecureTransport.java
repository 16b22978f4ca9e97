package dev.viz.transport.secure;

import dev.viz.core.Transport;
import dev.viz.transport.secure.internal.SecretStretcher;
import dev.viz.transport.secure.internal.SecureLayer;
import dev.viz.transport.secure.internal.Sodium;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

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
 * <p>Threads: as {@link Transport} says; the counters may be read from any thread.
 */
public final class SecureTransport implements Transport {
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

    private final Transport inner;
    private final SecureLayer layer;
    private final Identity identity;

    private SecureTransport(Transport inner, SecureLayer layer, Identity identity) {
        this.inner = inner;
        this.layer = layer;
        this.identity = identity;
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

    @Override
    public void open(Events events) throws IOException {
        layer.open(Objects.requireNonNull(events, "events"));
    }

    /** The wrapped transport's limit minus {@value #OVERHEAD_BYTES} bytes. */
    @Override
    public int maxPayloadBytes() {
        return layer.maxPayloadBytes();
    }

    /** True once a handshake authenticated the peer, false while re-handshaking or after a failure. */
    @Override
    public boolean isReady() {
        return layer.isReady();
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        return layer.send(buffer, offset, length);
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        return layer.receive(buffer, offset, capacity);
    }

    @Override
    public int doWork(long nowNs) {
        return layer.doWork(nowNs) + inner.doWork(nowNs);
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

    @Override
    public String peer() {
        return inner.peer();
    }

    @Override
    public void close() {
        layer.close();
    }

    /** This side's identity. */
    public Identity identity() {
        return identity;
    }

    /** The role played, known after {@link #open} (derived from the wrapped transport unless set). */
    public Role role() {
        return layer.isInitiator() ? Role.INITIATOR : Role.RESPONDER;
    }

    /** The verification code of the last handshake ({@code "123 456"}), or null before the first. */
    public String verificationCode() {
        return layer.verificationCode();
    }

    /** The peer's fingerprint once authenticated, or null. */
    public String peerFingerprint() {
        return layer.peerFingerprint();
    }

    /** Why the secure layer gave up (wrong key, wrong secret), or null. */
    public String failure() {
        return layer.failure();
    }

    /** Datagrams dropped for {@code why} (this layer's and the wrapped transport's). */
    public long rejectedCount(Rejection why) {
        return layer.rejected(why);
    }

    /** Handshakes this side completed (the first and every re-handshake). */
    public long handshakesCompleted() {
        return layer.handshakesCompleted();
    }

    /** Handshakes this side started as the initiator (every attempt, retries included). */
    public long handshakesStarted() {
        return layer.handshakesStarted();
    }

    /** Handshake initiations this side answered as the responder (after the rate limits). */
    public long handshakesAnswered() {
        return layer.handshakesAnswered();
    }

    @Override
    public String toString() {
        return name();
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
            SecureLayer layer = new SecureLayer(inner, id.keyPair(), peerKey, knownPeers, knownPeersAddress, psk,
                    initiator, paddingBucketBytes);
            if (secret != null) {
                Arrays.fill(psk, (byte) 0);
            }
            return new SecureTransport(inner, layer, id);
        }
    }
}
