package dev.viz.transport.turn;

import dev.viz.core.Transport;
import dev.viz.transport.turn.internal.ChannelData;
import dev.viz.transport.turn.internal.RelayLink;
import dev.viz.transport.turn.internal.StunMessage;
import dev.viz.transport.turn.internal.StunMessage.PeerAddress;
import dev.viz.transport.turn.internal.TlsLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;

/**
 * A call's datagrams through a TURN relay (RFC 8656): a {@link Transport} that stacks under the
 * secure layer exactly as {@code UdpTransport} does, for two users who are both behind NAT.
 *
 * <p>Both sides allocate a relayed address on the same relay. The listener ({@link #listen}) prints
 * its relayed address in an invitation and installs a permission for the relay's own IP address:
 * the caller's relayed address is on the same server, so its datagrams arrive (as Data indications)
 * without the listener knowing its port in advance. The caller ({@link Builder#peer}) binds a
 * channel to the listener's relayed address. Once the secure layer accepts the caller, the listener
 * binds a channel back, and from then on the audio travels as ChannelData: 4 bytes of overhead.
 *
 * <p>Allocation (401 → realm and nonce → MESSAGE-INTEGRITY; 438 stale nonce → retry) happens in
 * {@link #allocate()} or, at the latest, in {@link #open}, which block until the relay answered;
 * refreshes of the allocation, the permission and the channel run from {@link #doWork} before
 * they expire, one request at a time, retransmitted over UDP.
 *
 * <p>Network thread only, except {@link #allocate()} (before {@link #open}) and {@link #close()}.
 * {@link #send} and {@link #receive} allocate nothing and take no lock.
 */
public final class TurnTransport implements Transport {
    /** Bytes ChannelData adds to each datagram between client and relay. */
    public static final int CHANNEL_DATA_OVERHEAD_BYTES = ChannelData.HEADER_BYTES;
    /** The largest message to the relay by default, like {@code UdpTransport}'s datagram limit. */
    public static final int DEFAULT_MAX_DATAGRAM_BYTES = dev.viz.transport.udp.UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES;
    /** A Send indication's header, an IPv6 XOR-PEER-ADDRESS and the DATA attribute's header. */
    static final int SEND_INDICATION_OVERHEAD_BYTES = 20 + 24 + 4;
    static final long RTO_NS = TimeUnit.MILLISECONDS.toNanos(250);
    static final int MAX_TRANSMISSIONS = 7;
    /** Permissions last 300 s and channels 600 s (RFC 8656); both are renewed well before. */
    static final long PERMISSION_REFRESH_NS = TimeUnit.SECONDS.toNanos(240);
    static final long KEEPALIVE_NS = TimeUnit.SECONDS.toNanos(15);
    static final long RETRY_NS = TimeUnit.SECONDS.toNanos(2);
    static final int ALLOCATION_LIFETIME_S = 600;
    /** Nothing from the relay for this long during a call: ask it (a Refresh) whether it still knows this side. */
    static final long STALL_NS = TimeUnit.SECONDS.toNanos(2);
    /** Transmissions of that probing Refresh before the allocation is taken for lost (0.25 + 0.5 + 1 s). */
    static final int PROBE_TRANSMISSIONS = 3;
    private static final byte[] SOFTWARE = "viz".getBytes(StandardCharsets.UTF_8);

    private enum Op {
        NONE, ALLOCATE, REFRESH, PERMISSION, BIND
    }

    private final TurnServer server;
    private final boolean listening;
    private final InetSocketAddress invitedPeer;
    private final long timeoutNs;
    private final int maxDatagramBytes;
    private final SSLContext sslContext;
    private final SecureRandom random = new SecureRandom();
    private final StunMessage tx = new StunMessage();
    private final StunMessage rx = new StunMessage();
    private final byte[] requestBuffer = new byte[1024];
    private final byte[] sendBuffer;
    private final byte[] receiveBuffer = new byte[65_536 + 64];
    private final byte[] scratch = new byte[65_536];
    private final byte[] transactionId = new byte[StunMessage.TRANSACTION_ID_BYTES];
    private final byte[] username;
    private final PeerAddress relayed = new PeerAddress();
    private final PeerAddress mapped = new PeerAddress();
    private final PeerAddress peer = new PeerAddress();
    private final PeerAddress lastSource = new PeerAddress();
    private final PeerAddress from = new PeerAddress();
    private final PeerAddress opPeer = new PeerAddress();
    private final PeerAddress previousRelayed = new PeerAddress();

    private RelayLink link;
    private Events events = new Events() { };
    private byte[] realm;
    private byte[] nonce;
    private byte[] key;

    private Op op = Op.NONE;
    private int opChannel;
    private boolean opSentCredentials;
    private boolean opProbe;
    private boolean opAuthRetried;
    private long lastReceiveNs;
    private long lastProbeNs;
    private long lastDeliveredNs;
    private long gapStartNs;
    private int opTransmissions;
    private int opLength;
    private long opSentNs;
    private long opRtoNs;
    private String opFailure;

    private boolean allocated;
    private long allocationLifetimeS;
    private long refreshAtNs;
    private long permissionAtNs;
    private long retryAllocateAtNs;
    private long lastSendNs;
    private int wantedChannel;
    private int boundChannel;
    private long channelRefreshAtNs;
    private int nextChannel = ChannelData.FIRST_CHANNEL;
    private boolean readyAnnounced;
    private boolean opened;
    private String peerText;
    private volatile String failure;
    private volatile long forgedDropped;
    private volatile long reallocations;
    private volatile boolean closed;

    private TurnTransport(Builder b) {
        this.server = b.server;
        this.listening = b.peer == null;
        this.invitedPeer = b.peer;
        this.timeoutNs = b.timeout.toNanos();
        this.maxDatagramBytes = b.maxDatagramBytes;
        this.sslContext = b.sslContext;
        this.sendBuffer = new byte[maxDatagramBytes + 64];
        this.username = server.username().getBytes(StandardCharsets.UTF_8);
    }

    /** A listener on {@code server}: allocates, then waits for a caller that sends to its relayed address. */
    public static TurnTransport listen(TurnServer server) {
        return builder(server).build();
    }

    /** A caller that allocates on {@code server} and sends to the listener's relayed address {@code peer}. */
    public static TurnTransport connect(TurnServer server, InetSocketAddress peer) {
        return builder(server).peer(peer).build();
    }

    public static Builder builder(TurnServer server) {
        return new Builder(server);
    }

    /** Options; {@link #build()} makes an unopened transport. */
    public static final class Builder {
        private final TurnServer server;
        private InetSocketAddress peer;
        private Duration timeout = Duration.ofSeconds(10);
        private int maxDatagramBytes = DEFAULT_MAX_DATAGRAM_BYTES;
        private SSLContext sslContext;

        private Builder(TurnServer server) {
            this.server = Objects.requireNonNull(server, "server");
            if (!server.hasCredentials()) {
                throw new IllegalArgumentException("the relay " + server + " needs credentials: turn:USER:PASS@HOST:PORT,"
                        + " or a relay secret for time-limited ones");
            }
        }

        /** The listener's relayed address, from its invitation: this side calls. */
        public Builder peer(InetSocketAddress relayedPeer) {
            if (relayedPeer == null || relayedPeer.isUnresolved()) {
                throw new IllegalArgumentException("the peer's relayed address must be an IP address and port");
            }
            this.peer = relayedPeer;
            return this;
        }

        /** How long allocating (and the caller's channel binding) may take before it fails (default 10 s). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** The largest message to the relay (1200 to 65507, as for UDP; default 1200, which passes almost every path). */
        public Builder maxDatagramBytes(int bytes) {
            if (bytes < dev.viz.transport.udp.UdpTransport.MIN_MAX_DATAGRAM_BYTES
                    || bytes > dev.viz.transport.udp.UdpTransport.MAX_MAX_DATAGRAM_BYTES) {
                throw new IllegalArgumentException("datagram size limit " + bytes + ": use "
                        + dev.viz.transport.udp.UdpTransport.MIN_MAX_DATAGRAM_BYTES + " to "
                        + dev.viz.transport.udp.UdpTransport.MAX_MAX_DATAGRAM_BYTES);
            }
            this.maxDatagramBytes = bytes;
            return this;
        }

        /** The TLS context for {@code turns:} (default: the JDK's, which checks the relay's certificate). */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        public TurnTransport build() {
            return new TurnTransport(this);
        }
    }

    // ------------------------------------------------------------------ set-up (blocking)

    /**
     * Connects to the relay and allocates a relayed address, blocking until the relay answered (at
     * most the builder's timeout); a caller also binds its channel to the listener. Called by
     * {@link #open} when not called before; call it first to learn {@link #relayedAddress()} for an
     * invitation.
     *
     * @throws IOException with a message that says what failed and what to do: the relay cannot be
     *     resolved or reached, refused the credentials, or refused to relay to the peer
     */
    public synchronized void allocate() throws IOException {
        if (allocated) {
            return;
        }
        if (closed) {
            throw new IOException("closed");
        }
        InetSocketAddress address = new InetSocketAddress(server.host(), server.port());
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve the relay's host '" + server.host() + "'");
        }
        int timeoutMs = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNs));
        try {
            link = switch (server.carrier()) {
                case UDP -> RelayLink.udp(address);
                case TCP -> RelayLink.tcp(address, timeoutMs);
                case TLS -> TlsLink.connect(address, server.host(), sslContext, timeoutMs);
            };
        } catch (IOException e) {
            throw new IOException("cannot reach the relay " + server + " over " + carrierName() + ": " + e.getMessage()
                    + " (is it running, and is the port open?)", e);
        }
        startOp(Op.ALLOCATE, System.nanoTime());
        awaitOp("allocating on the relay");
        if (listening) {
            // Callers allocate on this same relay, so their relayed addresses share its IP: one permission
            // for that IP lets any of them reach this side (the secure layer decides which one is the peer).
            opPeer.set(relayed);
            startOp(Op.PERMISSION, System.nanoTime());
            awaitOp("installing the permission for callers on the relay");
        } else {
            peer.set(invitedPeer);
            peerText = peer.toString();
            wantedChannel = nextChannel++;
            startBind(System.nanoTime());
            awaitOp("binding a channel to the peer " + peerText);
        }
    }

    private void awaitOp(String what) throws IOException {
        long deadline = System.nanoTime() + timeoutNs;
        opFailure = null;
        while (op != Op.NONE) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                op = Op.NONE;
                throw new IOException("no answer from the relay " + server + " over " + carrierName() + " within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms while " + what + ": is the relay running and"
                        + " its port open?" + (server.carrier() == TurnServer.Carrier.UDP
                        ? " Where UDP is blocked, try turn:...?transport=tcp or turns:" : ""));
            }
            if (link.isBroken()) {
                throw new IOException("the relay " + server + " closed the connection while " + what);
            }
            timers(now);
            int n = receive(scratch, 0, scratch.length);
            if (n == 0) {
                LockSupport.parkNanos(200_000);
            }
        }
        if (opFailure != null) {
            throw new IOException(opFailure);
        }
    }

    private String carrierName() {
        return server.carrier().name().toLowerCase(java.util.Locale.ROOT);
    }

    // ------------------------------------------------------------------ Transport

    @Override
    public String name() {
        return "turn " + carrierName() + " via " + server.host() + ":" + server.port()
                + (listening ? " (listening)" : " to " + invitedPeer.getAddress().getHostAddress() + ":" + invitedPeer.getPort());
    }

    @Override
    public void open(Events events) throws IOException {
        if (opened) {
            throw new IllegalStateException("already open");
        }
        opened = true;
        this.events = Objects.requireNonNull(events, "events");
        allocate();
        if (!listening) {
            readyAnnounced = true;
            events.onReady(peerText);
        }
    }

    @Override
    public int maxPayloadBytes() {
        return maxDatagramBytes - SEND_INDICATION_OVERHEAD_BYTES;
    }

    @Override
    public boolean isReady() {
        return peer.isSet() && allocated && !closed;
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (length > maxPayloadBytes()) {
            return ERROR_TOO_LARGE;
        }
        if (!peer.isSet() || !allocated || closed) {
            return NOT_READY;
        }
        return sendTo(peer, buffer, offset, length);
    }

    @Override
    public int reply(byte[] buffer, int offset, int length) {
        if (length > maxPayloadBytes()) {
            return ERROR_TOO_LARGE;
        }
        if (!lastSource.isSet() || !allocated || closed) {
            return NOT_READY;
        }
        return sendTo(lastSource, buffer, offset, length);
    }

    private int sendTo(PeerAddress to, byte[] buffer, int offset, int length) {
        int total;
        if (boundChannel != 0 && to.sameAs(peer)) {
            System.arraycopy(buffer, offset, sendBuffer, ChannelData.DATA_OFFSET, length);
            total = ChannelData.putHeader(sendBuffer, 0, boundChannel, length, link.isStream());
        } else {
            // Before the channel is bound (a listener answering the handshake): a Send indication.
            newTransactionId();
            total = tx.begin(sendBuffer, 0, StunMessage.SEND, StunMessage.INDICATION, transactionId, 0)
                    .putXorAddress(StunMessage.XOR_PEER_ADDRESS, to)
                    .put(StunMessage.DATA_ATTRIBUTE, buffer, offset, length)
                    .end();
        }
        if (link.send(sendBuffer, 0, total) != total) {
            return ERROR_IO;
        }
        lastSendNs = System.nanoTime();
        return length;
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        if (closed || link == null) {
            return 0;
        }
        while (true) {
            int n = link.receive(receiveBuffer, 0, receiveBuffer.length);
            if (n <= 0) {
                return 0;
            }
            lastReceiveNs = System.nanoTime();
            if (ChannelData.isChannelData(receiveBuffer, 0, n)) {
                int channel = ChannelData.channel(receiveBuffer, 0);
                int length = ChannelData.dataLength(receiveBuffer, 0);
                if (length > n - ChannelData.HEADER_BYTES || length > capacity) {
                    rejected(Rejection.MALFORMED);
                    continue;
                }
                if (channel == 0 || (channel != boundChannel && channel != wantedChannel) || !peer.isSet()) {
                    rejected(Rejection.UNKNOWN_SOURCE);
                    continue;
                }
                System.arraycopy(receiveBuffer, ChannelData.DATA_OFFSET, buffer, offset, length);
                lastSource.set(peer);
                lastDeliveredNs = lastReceiveNs;
                if (gapStartNs != 0) {
                    resumed();
                }
                return length;
            }
            if (!rx.wrap(receiveBuffer, 0, n)) {
                rejected(Rejection.MALFORMED);
                continue;
            }
            int cls = rx.messageClass();
            if (cls == StunMessage.INDICATION && rx.method() == StunMessage.DATA) {
                int data = rx.find(StunMessage.DATA_ATTRIBUTE);
                if (data < 0 || !rx.xorAddress(StunMessage.XOR_PEER_ADDRESS, from)) {
                    rejected(Rejection.MALFORMED);
                    continue;
                }
                int length = rx.attributeLength(data);
                if (length > capacity) {
                    rejected(Rejection.MALFORMED);
                    continue;
                }
                if (!listening && !from.sameIp(peer)) {
                    // The peer's allocation is on this relay: a caller hears only from the relay's own IP (where the
                    // listener re-allocates after losing its NAT mapping; the secure layer then authenticates it).
                    rejected(Rejection.UNKNOWN_SOURCE);
                    continue;
                }
                System.arraycopy(receiveBuffer, data, buffer, offset, length);
                lastSource.set(from);
                lastDeliveredNs = lastReceiveNs;
                if (gapStartNs != 0) {
                    resumed();
                }
                return length;
            }
            if ((cls == StunMessage.SUCCESS || cls == StunMessage.ERROR) && op != Op.NONE
                    && rx.transactionIdEquals(transactionId, 0)) {
                onResponse(rx, System.nanoTime());
                continue;
            }
            // A response to nothing pending (a late retransmission, or a forgery), or a request to a client.
            rejected(Rejection.UNKNOWN_SOURCE);
        }
    }

    private void resumed() {
        long gapMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gapStartNs);
        gapStartNs = 0;
        events.onWarning("the relay path resumed after a gap of " + gapMs + " ms (allocated again on " + server + ")");
    }

    private void rejected(Rejection why) {
        forgedDropped++;
        events.onRejected(why);
    }

    @Override
    public int doWork(long nowNs) {
        if (closed || link == null) {
            return 0;
        }
        return timers(nowNs);
    }

    private int timers(long now) {
        int work = link.flush() > 0 ? 1 : 0;
        if (op != Op.NONE) {
            if (now - opSentNs >= opRtoNs) {
                if (link.isStream() || opTransmissions >= (opProbe ? PROBE_TRANSMISSIONS : MAX_TRANSMISSIONS)) {
                    if (link.isStream() && !link.isBroken() && now - opSentNs < (opProbe ? STALL_NS : timeoutNs)) {
                        return work; // a stream delivers or breaks; only a whole timeout ends the wait
                    }
                    opTimedOut(now);
                } else {
                    transmit(now);
                    opRtoNs *= 2;
                }
                return 1;
            }
            return work;
        }
        if (!opened) {
            return work;
        }
        if (link.isBroken()) {
            if (now - retryAllocateAtNs >= 0) {
                reconnect(now);
            }
            return 1;
        }
        if (!allocated) {
            if (now - retryAllocateAtNs >= 0) {
                startOp(Op.ALLOCATE, now);
                return 1;
            }
            return work;
        }
        if (now - refreshAtNs >= 0) {
            startOp(Op.REFRESH, now);
            return 1;
        }
        if (peer.isSet() && readyAnnounced && now - lastReceiveNs >= STALL_NS && now - lastProbeNs >= STALL_NS) {
            // A call in progress and silence from the relay: the NAT may have dropped this side's mapping (the
            // relay then sees a new address and answers 437) or the relay may be gone.
            lastProbeNs = now;
            startOp(Op.REFRESH, now);
            opProbe = true;
            return 1;
        }
        if (peer.isSet() && (boundChannel != wantedChannel || now - channelRefreshAtNs >= 0)) {
            if (boundChannel != wantedChannel || boundChannel != 0) {
                startBind(now);
                return 1;
            }
        }
        if (listening && now - permissionAtNs >= 0) {
            opPeer.set(relayed);
            startOp(Op.PERMISSION, now);
            return 1;
        }
        if (now - lastSendNs >= KEEPALIVE_NS) {
            // Keeps the NAT's mapping towards the relay open while nothing else is sent (RFC 8656 section 13).
            newTransactionId();
            int n = tx.begin(sendBuffer, 0, StunMessage.BINDING, StunMessage.INDICATION, transactionId, 0)
                    .putFingerprint().end();
            link.send(sendBuffer, 0, n);
            lastSendNs = now;
            return 1;
        }
        return work;
    }

    private void startBind(long now) {
        opPeer.set(peer);
        opChannel = wantedChannel;
        startOp(Op.BIND, now);
    }

    private void startOp(Op next, long now) {
        op = next;
        opProbe = false;
        opAuthRetried = false;
        opSentCredentials = false;
        opTransmissions = 0;
        opRtoNs = RTO_NS;
        newTransactionId();
        transmit(now);
    }

    private void newTransactionId() {
        random.nextBytes(transactionId);
    }

    private void transmit(long now) {
        int method = switch (op) {
            case ALLOCATE -> StunMessage.ALLOCATE;
            case REFRESH -> StunMessage.REFRESH;
            case PERMISSION -> StunMessage.CREATE_PERMISSION;
            case BIND -> StunMessage.CHANNEL_BIND;
            case NONE -> throw new IllegalStateException();
        };
        StunMessage m = tx.begin(requestBuffer, 0, method, StunMessage.REQUEST, transactionId, 0);
        switch (op) {
            case ALLOCATE -> m.putU32(StunMessage.REQUESTED_TRANSPORT, StunMessage.TRANSPORT_UDP)
                    .putU32(StunMessage.LIFETIME, ALLOCATION_LIFETIME_S);
            case REFRESH -> m.putU32(StunMessage.LIFETIME, ALLOCATION_LIFETIME_S);
            case PERMISSION -> m.putXorAddress(StunMessage.XOR_PEER_ADDRESS, opPeer);
            case BIND -> m.putChannelNumber(opChannel).putXorAddress(StunMessage.XOR_PEER_ADDRESS, opPeer);
            default -> { }
        }
        m.put(StunMessage.SOFTWARE, SOFTWARE);
        if (nonce != null) {
            m.put(StunMessage.USERNAME, username).put(StunMessage.REALM, realm).put(StunMessage.NONCE, nonce)
                    .putIntegrity(key);
            opSentCredentials = true;
        }
        opLength = m.putFingerprint().end();
        opTransmissions++;
        opSentNs = now;
        link.send(requestBuffer, 0, opLength);
        lastSendNs = now;
    }

    private void onResponse(StunMessage r, long now) {
        if (r.messageClass() == StunMessage.ERROR) {
            int code = r.errorCode();
            String newNonce = code == 401 || code == 438 ? r.text(StunMessage.NONCE) : null;
            // A 401 to a request that carried credentials, with a nonce this side never had: the relay restarted
            // and forgot it (not a refusal of the credentials): retry once with the new nonce.
            boolean forgotNonce = code == 401 && opSentCredentials && !opAuthRetried && newNonce != null
                    && !java.util.Arrays.equals(nonce, newNonce.getBytes(StandardCharsets.UTF_8));
            if ((code == 401 && !opSentCredentials) || forgotNonce || code == 438) {
                opAuthRetried |= forgotNonce;
                String newRealm = r.text(StunMessage.REALM);
                if (newNonce == null || (newRealm == null && realm == null)) {
                    opFailed("the relay " + server + " answered " + code + " without a realm and nonce: it is not a"
                            + " TURN server this client understands");
                    return;
                }
                if (newRealm != null) {
                    realm = newRealm.getBytes(StandardCharsets.UTF_8);
                    key = StunMessage.longTermKey(server.username(), newRealm, server.password());
                }
                nonce = newNonce.getBytes(StandardCharsets.UTF_8);
                newTransactionId();
                opTransmissions = 0;
                opRtoNs = RTO_NS;
                transmit(now);
                return;
            }
            String reason = code + (r.errorReason().isEmpty() ? "" : " " + r.errorReason());
            if (code == 401) {
                opFailed("the relay " + server + " refused the credentials (" + reason + "): check USER:PASS in the"
                        + " relay URI, or the relay secret" + (server.credentialsExpiryEpochS() >= 0
                        ? "; time-limited credentials that expired at "
                        + java.time.Instant.ofEpochSecond(server.credentialsExpiryEpochS()) + " are refused too" : ""));
                return;
            }
            if (code == 437 && op != Op.ALLOCATE) {
                // Allocation mismatch: the relay lost our allocation (it restarted).
                relayLost(now, "the relay " + server + " forgot this allocation (" + reason + ")");
                return;
            }
            if (code == 437 && op == Op.ALLOCATE) {
                opFailed("the relay " + server + " still holds an allocation for this address (" + reason + "); try again");
                return;
            }
            if (code == 403 && (op == Op.BIND || op == Op.PERMISSION)) {
                opFailed("the relay " + server + " refuses to relay to " + opPeer + " (" + reason + "): its"
                        + " configuration denies that peer address (denied-peer-ip, or loopback peers not allowed)");
                return;
            }
            opFailed("the relay " + server + " refused " + op.name().toLowerCase(java.util.Locale.ROOT) + " (" + reason + ")");
            return;
        }
        if (opSentCredentials && !r.checkIntegrity(key)) {
            rejected(Rejection.UNAUTHENTICATED); // a forged success: keep waiting for the real answer
            return;
        }
        switch (op) {
            case ALLOCATE -> {
                previousRelayed.set(relayed);
                if (!r.xorAddress(StunMessage.XOR_RELAYED_ADDRESS, relayed)) {
                    opFailed("the relay " + server + " allocated without saying the relayed address");
                    return;
                }
                if (opened && listening && previousRelayed.isSet() && !previousRelayed.sameAs(relayed)) {
                    // The relay restarted (or expired the allocation): a caller cannot know the new address.
                    events.onWarning("the relay " + server + " gave this side a new relayed address " + relayed
                            + " (it was " + previousRelayed + "): a caller still on the old one cannot reach it;"
                            + " the call continues if the caller's own allocation survived, otherwise start again"
                            + " with a new invite");
                }
                r.xorAddress(StunMessage.XOR_MAPPED_ADDRESS, mapped);
                allocationLifetimeS = r.u32(StunMessage.LIFETIME, ALLOCATION_LIFETIME_S);
                refreshAtNs = now + refreshDelayNs(allocationLifetimeS);
                allocated = true;
                permissionAtNs = opened ? now : now + PERMISSION_REFRESH_NS;
                if (peer.isSet()) {
                    boundChannel = 0;
                    wantedChannel = nextChannel();
                }
                if (opened && readyAnnounced) {
                    events.onReady(peerText);
                }
            }
            case REFRESH -> {
                allocationLifetimeS = r.u32(StunMessage.LIFETIME, ALLOCATION_LIFETIME_S);
                refreshAtNs = now + refreshDelayNs(allocationLifetimeS);
            }
            case PERMISSION -> permissionAtNs = now + PERMISSION_REFRESH_NS;
            case BIND -> {
                boundChannel = opChannel;
                channelRefreshAtNs = now + PERMISSION_REFRESH_NS;
            }
            default -> { }
        }
        op = Op.NONE;
    }

    private int nextChannel() {
        int c = nextChannel++;
        if (nextChannel > ChannelData.LAST_CHANNEL) {
            nextChannel = ChannelData.FIRST_CHANNEL;
        }
        return c;
    }

    private static long refreshDelayNs(long lifetimeS) {
        long s = Math.max(1, lifetimeS - Math.min(60, lifetimeS / 2));
        return TimeUnit.SECONDS.toNanos(s);
    }

    private void opFailed(String message) {
        Op failed = op;
        op = Op.NONE;
        opFailure = message;
        if (!opened) {
            return; // allocate() throws it
        }
        events.onWarning(message);
        if (failed == Op.BIND) {
            channelRefreshAtNs = System.nanoTime() + RETRY_NS;
            wantedChannel = boundChannel; // stop asking until the refresh is due
        } else if (failed == Op.ALLOCATE) {
            retryAllocateAtNs = System.nanoTime() + RETRY_NS;
        } else if (failed == Op.PERMISSION) {
            permissionAtNs = System.nanoTime() + RETRY_NS;
        }
    }

    private void opTimedOut(long now) {
        Op failed = op;
        op = Op.NONE;
        opFailure = "no answer from the relay " + server;
        if (!opened) {
            return;
        }
        if (failed == Op.ALLOCATE) {
            retryAllocateAtNs = now + RETRY_NS;
        } else {
            relayLost(now, "the relay " + server + " stopped answering");
        }
    }

    /** A stream to the relay broke: connect again (bounded by one second), then allocate again. */
    private void reconnect(long now) {
        retryAllocateAtNs = now + RETRY_NS;
        link.close();
        try {
            InetSocketAddress address = new InetSocketAddress(server.host(), server.port());
            link = server.carrier() == TurnServer.Carrier.TCP ? RelayLink.tcp(address, 1000)
                    : TlsLink.connect(address, server.host(), sslContext, 1000);
            relayLost(now, "the connection to the relay " + server + " broke");
        } catch (IOException e) {
            events.onNotReady("cannot reach the relay " + server + " again: " + e.getMessage());
        }
    }

    private void relayLost(long now, String why) {
        if (gapStartNs == 0) {
            gapStartNs = lastDeliveredNs != 0 ? Math.min(lastDeliveredNs, now) : now;
        }
        op = Op.NONE;
        allocated = false;
        boundChannel = 0;
        reallocations++;
        retryAllocateAtNs = now;
        events.onNotReady(why + "; allocating again");
    }

    @Override
    public void acceptPeer() {
        if (!lastSource.isSet() || lastSource.sameAs(peer) || (!listening && !readyAnnounced)) {
            return;
        }
        boolean first = !peer.isSet();
        peer.set(lastSource);
        peerText = peer.toString();
        boundChannel = 0;
        wantedChannel = nextChannel();
        if (first) {
            readyAnnounced = true;
            events.onReady(peerText);
        } else {
            events.onPeerMoved(peerText);
        }
    }

    @Override
    public long lastSourceKey() {
        return lastSource.key();
    }

    @Override
    public long wireBytesSent() {
        RelayLink l = link;
        return l == null ? 0 : l.bytesSent();
    }

    /** The relay link's socket over UDP; over TCP or TLS, and while reconnecting, this transport is polled. */
    @Override
    public boolean registerReads(Selector selector) {
        RelayLink l = link;
        return !closed && l != null && !l.isBroken() && l.registerReads(selector);
    }

    /**
     * Over TCP or TLS to the relay: this side's leg is a stream, so its losses stall what this side
     * receives. (The peer's own leg to the relay is its business; over UDP it loses datagrams.)
     */
    @Override
    public boolean isReliableStream() {
        return server.carrier() != TurnServer.Carrier.UDP;
    }

    @Override
    public long wireBytesReceived() {
        RelayLink l = link;
        return l == null ? 0 : l.bytesReceived();
    }

    @Override
    public String peer() {
        return peerText;
    }

    /** The relayed address the relay gave this side (after {@link #allocate()}): what an invitation carries. */
    public InetSocketAddress relayedAddress() {
        return relayed.isSet() ? relayed.toSocketAddress() : null;
    }

    /** This side's public address as the relay saw it (XOR-MAPPED-ADDRESS), or null. */
    public InetSocketAddress mappedAddress() {
        return mapped.isSet() ? mapped.toSocketAddress() : null;
    }

    /** The allocation's lifetime the relay granted, in seconds (refreshed before it runs out). */
    public long allocationLifetimeS() {
        return allocationLifetimeS;
    }

    /** Datagrams from the relay dropped: malformed, for an unknown channel or peer, or forged responses. */
    public long droppedCount() {
        return forgedDropped;
    }

    /** How many times the allocation was lost (relay restarted, stopped answering) and made again. */
    public long reallocations() {
        return reallocations;
    }

    /** Whether audio travels as ChannelData now (a channel is bound to the peer). */
    public boolean channelBound() {
        return boundChannel != 0;
    }

    public TurnServer server() {
        return server;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RelayLink l = link;
        if (l != null) {
            if (allocated && nonce != null && !l.isStream()) {
                // Best effort: tell the relay to free the allocation now rather than at its expiry (over a
                // stream, closing the connection frees it). Own buffers: the network thread may be mid-send.
                byte[] id = new byte[StunMessage.TRANSACTION_ID_BYTES];
                random.nextBytes(id);
                byte[] b = new byte[512];
                int n = new StunMessage().begin(b, 0, StunMessage.REFRESH, StunMessage.REQUEST, id, 0)
                        .putU32(StunMessage.LIFETIME, 0)
                        .put(StunMessage.USERNAME, username).put(StunMessage.REALM, realm)
                        .put(StunMessage.NONCE, nonce).putIntegrity(key).putFingerprint().end();
                l.send(b, 0, n);
            }
            l.close();
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
