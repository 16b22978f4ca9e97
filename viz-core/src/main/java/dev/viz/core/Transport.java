package dev.viz.core;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * Sends datagram payloads to one peer and receives them from it.
 *
 * <p>Transports stack: a secure layer wraps a UDP transport, an impaired transport (loss, delay,
 * reordering) wraps anything for tests and demonstrations. Each decorator takes its own overhead
 * off {@link #maxPayloadBytes()}.
 *
 * <p><b>Threads.</b> The session calls {@link #open} once, then {@link #send}, {@link #receive},
 * {@link #doWork} and the queries only from its network thread; {@link #close} from any thread.
 * The hot-path methods return status codes and never throw; the {@link Events} they raise run on
 * the network thread.
 */
public interface Transport extends AutoCloseable {

    /** {@link #send}: there is no peer to send to yet (or the secure layer is handshaking): dropped. */
    int NOT_READY = -1;

    /** {@link #send}: the operating system refused the datagram: dropped. */
    int ERROR_IO = -2;

    /** {@link #send}: the payload is over {@link #maxPayloadBytes()}: dropped. */
    int ERROR_TOO_LARGE = -3;

    /** Why a transport dropped a received datagram, for {@link Events#onRejected}. */
    enum Rejection {
        /** Too short, too long, or of an unknown type. */
        MALFORMED,
        /** Failed authentication (a forgery, a flipped bit, a wrong key). */
        UNAUTHENTICATED,
        /** A counter already seen, or too old for the replay window. */
        REPLAYED,
        /** From an address that is not the peer's, with nothing that proves it is the peer. */
        UNKNOWN_SOURCE,
        /** A handshake over the rate limit. */
        RATE_LIMITED
    }

    /**
     * What a transport tells the session. Called on the network thread; implementations are fast,
     * never throw and never block. Every method has an empty default.
     */
    interface Events {
        /** The transport can send: the peer is known and, for a secure transport, authenticated. */
        default void onReady(String peer) {
        }

        /** The transport cannot send for now (the peer went away; a secure transport re-handshakes). */
        default void onNotReady(String reason) {
        }

        /** Authenticated datagrams now come from, and go to, a new address (the peer roamed). */
        default void onPeerMoved(String peer) {
        }

        /** A secure transport finished a handshake. */
        default void onSecured(String peerFingerprint, String verificationCode) {
        }

        /** A secure transport failed in a way that retrying will not fix (wrong key, wrong secret). */
        default void onFailed(String reason) {
        }

        /** A received datagram was dropped. */
        default void onRejected(Rejection why) {
        }

        /**
         * Something the user should hear about that does not end the call: a handshake refused
         * (wrong secret, a key other than the pinned one), or a remembered peer whose key changed.
         */
        default void onWarning(String message) {
        }
    }

    /** A short description, for example {@code udp connect 192.0.2.1:8443}. */
    String name();

    /**
     * Opens sockets and starts whatever the transport does on its own (a handshake). Called once.
     *
     * @throws IOException when the socket cannot be bound or the host cannot be resolved; the
     *     message says which address and why
     */
    void open(Events events) throws IOException;

    /** The largest payload {@link #send} accepts. */
    int maxPayloadBytes();

    /** Whether {@link #send} can deliver now. */
    boolean isReady();

    /**
     * Sends {@code buffer[offset .. offset + length)} as one datagram payload.
     *
     * @return {@code length} when sent, or a negative status
     */
    int send(byte[] buffer, int offset, int length);

    /**
     * Polls for one received payload and copies it into {@code buffer[offset ..]}; never blocks.
     *
     * @return its length; 0 when there is nothing to deliver (including a datagram the transport
     *     consumed itself, such as a handshake message, or one it rejected)
     */
    int receive(byte[] buffer, int offset, int capacity);

    /**
     * Timers: handshake retransmissions, re-handshakes, rate-limit windows.
     *
     * @return how much work was done (0 when idle), for the network thread's idle strategy
     */
    default int doWork(long nowNs) {
        return 0;
    }

    /**
     * Network thread, when a duty cycle found nothing to do: registers every channel this transport,
     * and any transport it wraps, receives on with {@code selector} for {@link SelectionKey#OP_READ},
     * so that the thread can sleep in {@link Selector#select(long)} until a datagram or stream bytes
     * arrive, instead of waking every millisecond to poll. Called before every such sleep: register a
     * channel once and keep its key (a channel opened later, such as an accepted connection, is
     * registered at the next call).
     *
     * <p>Return {@code true} only when nothing but a readable channel, or time passing, can give this
     * transport work: no payload held in memory for {@link #receive}, no bytes waiting to be written,
     * no connection being set up. While the thread sleeps, {@link #doWork} timers run up to 20 ms late
     * during a call and up to 100 ms late while no peer has answered. Return {@code false} to be
     * polled as before (the thread then parks, for at most a millisecond during a call): the default, and what a
     * transport whose work comes from a clock (an impairment releasing delayed datagrams) returns. A
     * decorator registers its own channels and answers with what the transport it wraps answers.
     *
     * @return whether the network thread may sleep until one of the registered channels is readable
     */
    default boolean registerReads(Selector selector) {
        return false;
    }

    /**
     * The session found the payload that {@link #receive} returned last to be valid. A transport
     * that learns its peer from traffic (a plain UDP listener) binds to that payload's source, or
     * moves there; others ignore this.
     */
    default void acceptPeer() {
    }

    /**
     * Sends one datagram to the source of the datagram {@link #receive} returned last, without making
     * that source the peer: a secure listener answers a handshake this way before it knows who is
     * calling, so a stranger's handshake cannot divert an established call. A transport with one
     * fixed peer sends to it (the default).
     *
     * @return {@code length} when sent, or a negative status
     */
    default int reply(byte[] buffer, int offset, int length) {
        return send(buffer, offset, length);
    }

    /**
     * Identifies the host that sent the datagram {@link #receive} returned last (for UDP: the IPv4
     * address, or the IPv6 /64 prefix; ports ignored), so that a secure layer can rate-limit
     * handshakes per source. 0 when unknown (the default): then only an overall limit applies.
     * Called only for handshake messages; may allocate.
     */
    default long lastSourceKey() {
        return 0;
    }

    /** Bytes this transport (or the one it wraps) put on the wire: UDP payloads, every layer included. */
    default long wireBytesSent() {
        return 0;
    }

    /** Bytes this transport (or the one it wraps) took off the wire, accepted or not. */
    default long wireBytesReceived() {
        return 0;
    }

    /** Whether payloads are encrypted and authenticated end to end by this transport or one it wraps. */
    default boolean isSecure() {
        return false;
    }

    /**
     * Whether payloads travel over a reliable, ordered byte stream (TCP, a WebSocket, TCP or TLS to
     * a relay) rather than as datagrams. Over a stream nothing is lost and nothing is reordered, but
     * one lost packet holds up everything behind it until TCP retransmits it (a stall of about one
     * retransmission timeout, 200 ms or more), and then the backlog arrives at once. The session's
     * playout reads this to treat a gap as a stall to wait out and catch up on, not as a loss and
     * not as jitter to grow its delay for. Decorators (a secure layer, an impairment) answer what
     * the transport they wrap answers.
     *
     * <p>May be called from any thread (the playback thread asks). It may change while a call runs
     * when the transport offers several carriers: a listener learns which one its peer uses, a
     * UDP-then-TCP caller falls back to TCP. The default is {@code false}: a datagram path.
     */
    default boolean isReliableStream() {
        return false;
    }

    /** The peer's address as text, or {@code null} when none is known yet. */
    String peer();

    /** Releases sockets; idempotent. */
    @Override
    void close();
}
