package dev.viz.transport.direct;

import dev.viz.core.Transport;
import dev.viz.transport.direct.internal.HostAddresses;
import dev.viz.transport.direct.internal.PathMessage;
import dev.viz.transport.direct.internal.ReflexiveAddress;
import dev.viz.transport.internal.ReadInterest;
import dev.viz.transport.internal.SourceKeys;
import dev.viz.transport.secure.SessionKeyListener;
import dev.viz.transport.secure.internal.RateLimiter;
import dev.viz.transport.turn.internal.StunMessage;
import dev.viz.transport.udp.SocketAddressText;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a call off a relay (or a tunnel) onto a direct UDP path when the two NATs allow it, and back
 * when that path stops answering. A decorator that goes between a {@code SecureTransport} and the
 * transport the call started on:
 *
 * <pre>{@code
 * Transport relay = TurnTransport.connect(server, invite.peer());
 * Transport call = SecureTransport.wrap(DirectPathTransport.over(relay).stun(serverAddress).build())
 *         .peerKey(invite.fingerprint()).build();
 * }</pre>
 *
 * <p>How (docs/nat.md, "Direct path"):
 * <ol>
 *   <li>At {@link #open} it binds a UDP socket of its own and asks the STUN server (the relay's
 *       address by default: no third party unless the user names one) for that socket's public
 *       address. Its candidates: that server-reflexive address and the host's own addresses, with
 *       the socket's port.</li>
 *   <li>Once the secure layer has a session it hands this transport the session's path key
 *       ({@link SessionKeyListener}). The candidates then travel to the peer over the call's path,
 *       sealed with that key; each side sends them until the peer says it has them.</li>
 *   <li>Both sides probe every candidate of the other from their socket at once (five probes a
 *       second while looking, so both NATs open a mapping towards the other: "hole punching").
 *       Probes and answers are sealed with the path key: nobody without the call's keys can make a
 *       side move, and a probe reflected back to its sender is refused. A probe from an address not
 *       among the candidates is answered and that address probed too (a peer-reflexive candidate).</li>
 *   <li>The first candidate whose answer comes back carries this side's data datagrams from then on
 *       ({@code onPeerMoved}, the peer text ending in {@code (direct)}). Handshake messages still go
 *       over the path the call started on, and datagrams from either path are accepted (the secure
 *       layer authenticates each). The transport below stays up (a relay keeps its allocation).</li>
 *   <li>The direct path is probed once a second; three seconds without an answer and data returns
 *       to the path the call started on at once ({@code onPeerMoved} again); probing goes on, every
 *       two seconds, to come back when it answers again.</li>
 * </ol>
 * With a symmetric NAT (endpoint-dependent mapping) on either side the probes never meet and the
 * call stays where it is, which the peer text says ({@code (relay)}).
 *
 * <p>Allocation: data datagrams go through without any; path messages (a few a second at most) are
 * sealed through libsodium's array calls and allocate.
 *
 * <p>Threads: as {@link Transport} says; {@link #path()}, {@link #pathChanges()} and the counters may be
 * read from any thread.
 */
public final class DirectPathTransport implements Transport, SessionKeyListener {
    private static final Logger LOG = LoggerFactory.getLogger(DirectPathTransport.class);

    /** What the peer text and {@link #path()} say while data goes directly. */
    public static final String DIRECT = "direct";
    /** Probe interval while looking for a direct path. */
    static final long SEARCH_PROBE_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long after the candidates arrive probes go out at {@link #SEARCH_PROBE_NS}. */
    static final long SEARCH_NS = TimeUnit.SECONDS.toNanos(10);
    /** Probe interval after the search, and while the direct path is unused. */
    static final long SLOW_PROBE_NS = TimeUnit.SECONDS.toNanos(2);
    /** Probe interval on the direct path in use. */
    static final long KEEPALIVE_PROBE_NS = TimeUnit.SECONDS.toNanos(1);
    /** Silence on the direct path after which data goes back to the path the call started on. */
    static final long DEAD_NS = TimeUnit.SECONDS.toNanos(3);
    /** Candidates are sent again this often until the peer says it has them. */
    static final long CANDIDATES_RESEND_NS = TimeUnit.SECONDS.toNanos(1);
    static final int CANDIDATES_MAX_SENDS = 30;
    /** Outstanding probes remembered for matching their answers. */
    static final int PROBES_REMEMBERED = 32;
    /**
     * Path messages opened per second, per source and in all: a search sends at most 16 candidates
     * five probes a second, so a peer needs under 100 a second; a flood beyond is dropped before the
     * AEAD (counted {@code RATE_LIMITED}).
     */
    static final int PATH_MESSAGES_PER_SOURCE_PER_S = 100;
    static final int PATH_MESSAGES_PER_S = 200;

    private final Transport inner;
    private final String innerPath;
    private final InetSocketAddress stunServer;
    private final InetSocketAddress bindAddress;
    private final boolean hostCandidates;
    private final List<InetSocketAddress> extraCandidates;

    private Events events = new Events() { };
    private DatagramChannel socket;
    private final ReadInterest socketReads = new ReadInterest();
    private ByteBuffer receiveView;
    private byte[] receiveBytes;
    private final byte[] pathOut = new byte[PathMessage.MAX_BYTES];
    private final ReflexiveAddress reflexive;
    private final RateLimiter limiter = new RateLimiter(PATH_MESSAGES_PER_SOURCE_PER_S, PATH_MESSAGES_PER_SOURCE_PER_S,
            PATH_MESSAGES_PER_S, PATH_MESSAGES_PER_S);

    private byte[] key;
    private boolean initiator;
    private long counter;
    private long lastCandidatesCounter = -1;
    private boolean peerHasOurs;
    private boolean answerCandidates;
    private int candidatesSends;
    private long nextCandidatesNs;
    private final List<InetSocketAddress> remote = new ArrayList<>();
    /** This side's candidates as sent in this session; null until the first send. */
    private List<InetSocketAddress> mine;
    private long searchStartNs;
    private long nextProbeNs;
    private final long[] probeCounters = new long[PROBES_REMEMBERED];
    private final InetSocketAddress[] probeTargets = new InetSocketAddress[PROBES_REMEMBERED];
    private final long[] probeSentNs = new long[PROBES_REMEMBERED];
    private int probeNext;

    private InetSocketAddress active;
    private String activeText;
    private long lastAnswerNs;
    /** Whether data goes directly; read by {@link #path()} from any thread. */
    private volatile boolean direct;
    private volatile long pathChanges;
    private long openedNs;
    private volatile long pathChangedAfterMs = -1;
    private volatile long rttUs;

    private byte[] sendArray;
    private ByteBuffer sendView;
    private boolean lastFromDirect;
    private InetSocketAddress lastDirectSource;
    private long nowNs;
    private boolean closed;

    private volatile long directSent;
    private volatile long directReceived;
    private volatile long innerDataSent;
    private volatile long innerDataReceived;
    private volatile long directWireSent;
    private volatile long directWireReceived;
    private volatile long pathRejected;

    private DirectPathTransport(Builder b) {
        this.inner = b.inner;
        this.innerPath = b.innerPath;
        this.stunServer = b.stunServer;
        this.bindAddress = b.bindAddress;
        this.hostCandidates = b.hostCandidates;
        this.extraCandidates = List.copyOf(b.extraCandidates);
        this.reflexive = new ReflexiveAddress(stunServer);
    }

    /** Starts building a direct-path decorator over {@code inner} (not yet opened). */
    public static Builder over(Transport inner) {
        return new Builder(Objects.requireNonNull(inner, "inner"));
    }

    /** Configures a {@link DirectPathTransport}; building leaves the builder unchanged. Not thread-safe. */
    public static final class Builder {
        private final Transport inner;
        private String innerPath;
        private InetSocketAddress stunServer;
        private InetSocketAddress bindAddress = new InetSocketAddress(0);
        private boolean hostCandidates = true;
        private final List<InetSocketAddress> extraCandidates = new ArrayList<>();

        private Builder(Transport inner) {
            this.inner = inner;
        }

        /**
         * What the path the call starts on is called in the peer text and {@link #path()}, for example
         * {@code relay}; by default {@code tunnel} while the transport below is a byte stream and
         * {@code udp} otherwise (asked each time: a one-port listener learns its carrier from its caller).
         */
        public Builder innerPath(String name) {
            this.innerPath = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The STUN server that tells this side its public address (a TURN relay answers STUN); none by default. */
        public Builder stun(InetSocketAddress server) {
            this.stunServer = server;
            return this;
        }

        /** The local address of the direct socket; any address, a free port, by default. */
        public Builder bind(InetSocketAddress address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Whether the host's own addresses are candidates (true by default: peers on one network meet there). */
        public Builder hostCandidates(boolean on) {
            this.hostCandidates = on;
            return this;
        }

        /** An address to offer the peer besides the discovered ones (a port forward this side knows of). */
        public Builder candidate(InetSocketAddress address) {
            this.extraCandidates.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        public DirectPathTransport build() {
            return new DirectPathTransport(this);
        }
    }

    @Override
    public String name() {
        return "direct-or-" + innerPathName() + " " + inner.name();
    }

    /** Opens the transport below, binds the direct socket and sends the first STUN Binding request. */
    @Override
    public void open(Events events) throws IOException {
        this.events = Objects.requireNonNull(events, "events");
        inner.open(new InnerEvents());
        socket = DatagramChannel.open();
        try {
            socket.configureBlocking(false);
            socket.bind(bindAddress);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot bind the direct-path socket to " + bindAddress + ": " + e.getMessage(), e);
        }
        receiveBytes = new byte[Math.max(inner.maxPayloadBytes(), 1500) + 1];
        receiveView = ByteBuffer.wrap(receiveBytes);
        openedNs = System.nanoTime();
        if (LOG.isDebugEnabled()) {
            LOG.debug("direct path socket {}; STUN {}", socket.getLocalAddress(), stunServer);
        }
    }

    @Override
    public int maxPayloadBytes() {
        return inner.maxPayloadBytes();
    }

    @Override
    public boolean isReady() {
        return active != null || inner.isReady();
    }

    /** Data datagrams go to the direct path when one answers; everything else goes to the transport below. */
    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (active != null && length > 0 && buffer[offset] == DATA_DATAGRAM_TYPE) {
            int sent = sendDirect(active, buffer, offset, length);
            if (sent > 0) {
                directSent++;
            }
            return sent;
        }
        if (length > 0 && buffer[offset] == DATA_DATAGRAM_TYPE) {
            innerDataSent++;
        }
        return inner.send(buffer, offset, length);
    }

    @Override
    public int reply(byte[] buffer, int offset, int length) {
        return lastFromDirect ? sendDirect(lastDirectSource, buffer, offset, length) : inner.reply(buffer, offset, length);
    }

    private int sendDirect(InetSocketAddress to, byte[] buffer, int offset, int length) {
        if (buffer != sendArray) {
            sendArray = buffer; // the secure layer sends from one buffer: one view, made once
            sendView = ByteBuffer.wrap(buffer);
        }
        sendView.limit(offset + length).position(offset);
        try {
            int n = socket.send(sendView, to);
            directWireSent += n;
            return n == length ? length : ERROR_IO;
        } catch (IOException e) {
            return ERROR_IO;
        }
    }

    /** The direct socket first (path messages and STUN answers are consumed here), then the transport below. */
    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        if (closed) {
            return 0;
        }
        for (int i = 0; i < 64; i++) {
            InetSocketAddress from;
            receiveView.clear();
            try {
                from = (InetSocketAddress) socket.receive(receiveView);
            } catch (IOException e) {
                break;
            }
            if (from == null) {
                break;
            }
            int length = receiveView.position();
            directWireReceived += length;
            if (length == 0 || length == receiveBytes.length) {
                if (length > 0) {
                    events.onRejected(Rejection.MALFORMED); // filled the buffer: longer than any datagram of a call
                }
                continue;
            }
            if (StunMessage.looksLikeStun(receiveBytes, 0, length)) {
                onStun(length);
            } else if (receiveBytes[0] == PathMessage.TYPE) {
                onPath(receiveBytes, 0, length, from);
            } else if (length <= capacity) {
                System.arraycopy(receiveBytes, 0, buffer, offset, length);
                lastFromDirect = true;
                lastDirectSource = from;
                if (receiveBytes[0] == DATA_DATAGRAM_TYPE) {
                    directReceived++;
                }
                return length;
            } else {
                events.onRejected(Rejection.MALFORMED);
            }
        }
        for (int i = 0; i < 64; i++) {
            int length = inner.receive(buffer, offset, capacity);
            if (length <= 0) {
                return length;
            }
            if (buffer[offset] == PathMessage.TYPE) {
                onPath(buffer, offset, length, null);
                continue;
            }
            lastFromDirect = false;
            if (buffer[offset] == DATA_DATAGRAM_TYPE) {
                innerDataReceived++;
            }
            return length;
        }
        return 0;
    }

    @Override
    public void acceptPeer() {
        if (!lastFromDirect) {
            inner.acceptPeer();
        }
    }

    @Override
    public long lastSourceKey() {
        if (!lastFromDirect) {
            return inner.lastSourceKey();
        }
        return SourceKeys.of(lastDirectSource.getAddress());
    }

    @Override
    public void onSessionKey(byte[] pathKey, boolean initiator) {
        this.key = pathKey.clone();
        this.initiator = initiator;
        this.counter = 0;
        this.lastCandidatesCounter = -1;
        this.peerHasOurs = false;
        this.answerCandidates = false;
        this.candidatesSends = 0;
        this.mine = null;
        this.nextCandidatesNs = nowNs;
        this.remote.clear();
        java.util.Arrays.fill(probeTargets, null);
        if (active != null) {
            fallBack("a new session: the direct path is checked again");
        }
    }

    @Override
    public int doWork(long nowNs) {
        this.nowNs = nowNs;
        if (closed) {
            return 0;
        }
        int work = 0;
        if (!reflexive.isDone()) {
            int sent = reflexive.doWork(socket, nowNs);
            directWireSent += sent;
            if (reflexive.gaveUp()) {
                LOG.info("no STUN answer from {}: only this host's own addresses are offered for a direct path",
                        reflexive.server());
            }
            work += sent > 0 ? 1 : 0;
        }
        if (key != null) {
            // the candidates wait for the public address (3.75 s at most; it is usually known before the call secures)
            if ((answerCandidates || !peerHasOurs && candidatesSends < CANDIDATES_MAX_SENDS && nowNs - nextCandidatesNs >= 0)
                    && reflexive.isDone()) {
                work += sendCandidates(nowNs);
            }
            if (!remote.isEmpty() && nowNs - nextProbeNs >= 0) {
                work += probe(nowNs);
            }
            if (active != null && nowNs - lastAnswerNs > DEAD_NS) {
                fallBack("no answer on the direct path for " + TimeUnit.NANOSECONDS.toMillis(nowNs - lastAnswerNs) + " ms");
            }
        }
        return work + inner.doWork(nowNs);
    }

    /** A STUN message on the direct socket: the answer about this socket's public address, or dropped. */
    private void onStun(int length) {
        switch (reflexive.onDatagram(receiveBytes, 0, length)) {
            case ACCEPTED -> LOG.debug("direct path socket's public address {}", reflexive.address());
            case DUPLICATE -> {
                // the answer to a retransmission: already taken
            }
            default -> {
                pathRejected++;
                events.onRejected(Rejection.MALFORMED);
            }
        }
    }

    // ---- candidates and probes ----------------------------------------------------------------

    /** This side's candidates: the server-reflexive address first, then given ones, then the host's. */
    List<InetSocketAddress> localCandidates() {
        List<InetSocketAddress> list = new ArrayList<>();
        int port;
        try {
            port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
        } catch (IOException e) {
            return list;
        }
        if (reflexive.address() != null) {
            list.add(reflexive.address());
        }
        for (InetSocketAddress a : extraCandidates) {
            if (!list.contains(a)) {
                list.add(a);
            }
        }
        if (hostCandidates) {
            for (InetAddress ip : HostAddresses.list()) {
                InetSocketAddress a = new InetSocketAddress(ip, port);
                if (list.size() < PathMessage.MAX_CANDIDATES && !list.contains(a)) {
                    list.add(a);
                }
            }
        }
        return list.size() > PathMessage.MAX_CANDIDATES ? list.subList(0, PathMessage.MAX_CANDIDATES) : list;
    }

    private int sendCandidates(long now) {
        if (mine == null) {
            mine = localCandidates(); // once per session: listing the interfaces takes system calls
        }
        byte[] body = new byte[2 + mine.size() * 19];
        body[0] = (byte) (lastCandidatesCounter >= 0 ? PathMessage.FLAG_HAVE_YOURS : 0);
        body[1] = (byte) mine.size();
        int i = 2;
        for (InetSocketAddress a : mine) {
            i = PathMessage.putAddress(body, i, a);
        }
        int n = PathMessage.seal(key, PathMessage.KIND_CANDIDATES, initiator, counter++, body, i, pathOut);
        int sent = inner.send(pathOut, 0, n);
        answerCandidates = false;
        if (sent == NOT_READY) {
            nextCandidatesNs = now + SEARCH_PROBE_NS; // the path below has no peer yet: soon again
            return 1;
        }
        candidatesSends++;
        nextCandidatesNs = now + CANDIDATES_RESEND_NS;
        if (LOG.isDebugEnabled()) {
            LOG.debug("sent {} direct-path candidates: {}", mine.size(), mine);
        }
        return 1;
    }

    private void onPath(byte[] b, int off, int length, InetSocketAddress from) {
        if (!limiter.tryAcquire(from == null ? 0 : SourceKeys.of(from.getAddress()), nowNs)) {
            pathRejected++;
            events.onRejected(Rejection.RATE_LIMITED);
            return;
        }
        byte[] body = key == null ? null : PathMessage.open(key, initiator, b, off, length);
        if (body == null) {
            pathRejected++;
            events.onRejected(key == null ? Rejection.UNKNOWN_SOURCE : Rejection.UNAUTHENTICATED);
            return;
        }
        long messageCounter = PathMessage.counter(b, off);
        switch (PathMessage.kind(b, off)) {
            case PathMessage.KIND_CANDIDATES -> onCandidates(body, messageCounter);
            case PathMessage.KIND_PROBE -> {
                if (from != null) {
                    onProbe(messageCounter, from);
                }
            }
            case PathMessage.KIND_ANSWER -> {
                if (from != null) {
                    onAnswer(body, from);
                }
            }
            default -> {
                pathRejected++;
                events.onRejected(Rejection.MALFORMED);
            }
        }
    }

    private void onCandidates(byte[] body, long messageCounter) {
        List<InetSocketAddress> theirs = PathMessage.candidates(body);
        if (theirs == null) {
            pathRejected++;
            events.onRejected(Rejection.MALFORMED);
            return;
        }
        if ((body[0] & PathMessage.FLAG_HAVE_YOURS) != 0) {
            peerHasOurs = true;
        } else {
            answerCandidates = true; // it does not have ours yet: answer at once
        }
        if (messageCounter <= lastCandidatesCounter) {
            return; // a copy or an older one: already known
        }
        boolean first = lastCandidatesCounter < 0;
        lastCandidatesCounter = messageCounter;
        for (InetSocketAddress a : theirs) {
            if (!remote.contains(a) && remote.size() < PathMessage.MAX_CANDIDATES * 2) {
                remote.add(a);
            }
        }
        if (first) {
            searchStartNs = nowNs;
            nextProbeNs = nowNs;
            LOG.debug("the peer's direct-path candidates: {}", theirs);
        }
    }

    private int probe(long now) {
        boolean searching = now - searchStartNs < SEARCH_NS;
        if (active != null) {
            sendProbe(active, now);
            nextProbeNs = now + KEEPALIVE_PROBE_NS;
            return 1;
        }
        for (InetSocketAddress a : remote) {
            sendProbe(a, now);
        }
        nextProbeNs = now + (searching ? SEARCH_PROBE_NS : SLOW_PROBE_NS);
        return 1;
    }

    private void sendProbe(InetSocketAddress to, long now) {
        long c = counter++;
        int n = PathMessage.seal(key, PathMessage.KIND_PROBE, initiator, c, new byte[0], 0, pathOut);
        probeCounters[probeNext] = c;
        probeTargets[probeNext] = to;
        probeSentNs[probeNext] = now;
        probeNext = (probeNext + 1) % PROBES_REMEMBERED;
        sendDirect(to, pathOut, 0, n);
    }

    private void onProbe(long probeCounter, InetSocketAddress from) {
        byte[] body = new byte[8 + 19];
        PathMessage.putLong(body, 0, probeCounter);
        int end = PathMessage.putAddress(body, 8, from);
        int n = PathMessage.seal(key, PathMessage.KIND_ANSWER, initiator, counter++, body, end, pathOut);
        sendDirect(from, pathOut, 0, n);
        if (!remote.contains(from) && remote.size() < PathMessage.MAX_CANDIDATES * 2) {
            remote.add(from); // peer-reflexive: the peer's probes come from an address it did not know it had
            if (active == null) {
                sendProbe(from, nowNs); // a triggered check: its NAT has just opened towards this side
            }
        }
    }

    private void onAnswer(byte[] body, InetSocketAddress from) {
        if (body.length < 8) {
            pathRejected++;
            events.onRejected(Rejection.MALFORMED);
            return;
        }
        long answered = PathMessage.getLong(body, 0);
        for (int i = 0; i < PROBES_REMEMBERED; i++) {
            if (probeTargets[i] != null && probeCounters[i] == answered && probeTargets[i].equals(from)) {
                probeTargets[i] = null;
                lastAnswerNs = nowNs;
                rttUs = (nowNs - probeSentNs[i]) / 1000;
                if (active == null) {
                    activate(from);
                }
                return;
            }
        }
        pathRejected++;
        events.onRejected(Rejection.REPLAYED); // an answer to no probe of ours (late, or replayed)
    }

    private void activate(InetSocketAddress to) {
        active = to;
        activeText = SocketAddressText.of(to) + " (" + DIRECT + ")";
        direct = true;
        pathChanges++;
        pathChangedAfterMs = (nowNs - openedNs) / 1_000_000;
        LOG.debug("the call moved to the direct path {} (round trip {} ms)", activeText, rttUs / 1000);
        events.onPeerMoved(activeText);
    }

    private void fallBack(String why) {
        active = null;
        activeText = null;
        direct = false;
        pathChanges++;
        pathChangedAfterMs = (nowNs - openedNs) / 1_000_000;
        nextProbeNs = nowNs + SLOW_PROBE_NS;
        LOG.debug("the call went back to the {}: {}", innerPathName(), why);
        events.onPeerMoved(peer());
    }

    // ---- queries ------------------------------------------------------------------------------

    /** {@link #DIRECT} while data goes directly, else the name of the path the call started on. Any thread. */
    public String path() {
        return direct ? DIRECT : innerPathName();
    }

    private String innerPathName() {
        return innerPath != null ? innerPath : inner.isReliableStream() ? "tunnel" : "udp";
    }

    /** How many times the path changed. Any thread. */
    public long pathChanges() {
        return pathChanges;
    }

    /** When the path last changed, in milliseconds after {@link #open}; -1 when it never did. Any thread. */
    public long pathChangedAfterMs() {
        return pathChangedAfterMs;
    }

    /** The round trip of the last answered probe, in microseconds (0 before any). Any thread. */
    public long directRttUs() {
        return rttUs;
    }

    /** Data datagrams sent and received on the direct path. Any thread. */
    public long directDataSent() {
        return directSent;
    }

    public long directDataReceived() {
        return directReceived;
    }

    /** Data datagrams sent and received on the path the call started on. Any thread. */
    public long innerDataSent() {
        return innerDataSent;
    }

    public long innerDataReceived() {
        return innerDataReceived;
    }

    /** Path messages and STUN answers dropped (forged, reflected, malformed, unsolicited). Any thread. */
    public long pathMessagesRejected() {
        return pathRejected;
    }

    /** The direct socket's public address from STUN, or null. Network thread, or after the call. */
    public InetSocketAddress reflexiveAddress() {
        return reflexive.address();
    }

    /** The direct socket's local address, or null before {@link #open}. */
    public InetSocketAddress localAddress() {
        try {
            SocketAddress a = socket == null ? null : socket.getLocalAddress();
            return (InetSocketAddress) a;
        } catch (IOException e) {
            return null;
        }
    }

    /** The transport the call started on. */
    public Transport inner() {
        return inner;
    }

    @Override
    public long wireBytesSent() {
        return inner.wireBytesSent() + directWireSent;
    }

    @Override
    public long wireBytesReceived() {
        return inner.wireBytesReceived() + directWireReceived;
    }

    @Override
    public boolean isSecure() {
        return inner.isSecure();
    }

    /** The direct socket and what the transport below registers (probes and STUN run from {@link #doWork}). */
    @Override
    public boolean registerReads(Selector selector) {
        return !closed && socketReads.register(socket, selector) && inner.registerReads(selector);
    }

    @Override
    public boolean isReliableStream() {
        return active == null && inner.isReliableStream();
    }

    @Override
    public String peer() {
        String a = activeText;
        if (a != null) {
            return a;
        }
        String p = inner.peer();
        return p == null ? null : p + " (" + innerPathName() + ")";
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        inner.close();
    }

    @Override
    public String toString() {
        return name();
    }

    /** Passes the events of the transport below on; a peer it moved to is named with its path. */
    private final class InnerEvents implements Events {
        @Override
        public void onReady(String peer) {
            events.onReady(peer == null ? null : peer + " (" + innerPathName() + ")");
        }

        @Override
        public void onNotReady(String reason) {
            if (active != null) {
                // The relay (or tunnel) is down but the call goes directly: nothing stops; it comes back on its own.
                LOG.info("the {} is down while the call goes directly: {}", innerPathName(), reason);
                return;
            }
            events.onNotReady(reason);
        }

        @Override
        public void onPeerMoved(String peer) {
            if (active == null) {
                events.onPeerMoved(peer + " (" + innerPathName() + ")");
            }
        }

        @Override
        public void onSecured(String peerFingerprint, String verificationCode) {
            events.onSecured(peerFingerprint, verificationCode);
        }

        @Override
        public void onFailed(String reason) {
            events.onFailed(reason);
        }

        @Override
        public void onRejected(Rejection why) {
            events.onRejected(why);
        }

        @Override
        public void onWarning(String message) {
            events.onWarning(message);
        }
    }
}
