package dev.viz.transport.direct.internal;

import dev.viz.transport.turn.internal.StunMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Asks a STUN server (RFC 8489 Binding request, retransmitted at 250, 500, 1000 ms) for the public
 * address of one UDP socket: the server-reflexive candidate of the direct path. Network thread only.
 */
public final class ReflexiveAddress {
    /** The first retransmission timeout; it doubles. */
    public static final long RTO_NS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Requests sent before giving up. */
    public static final int MAX_TRANSMISSIONS = 4;

    /** What {@link #onDatagram} made of a STUN message. */
    public enum Answer {
        /** The answer to this side's request: {@link #address()} is known. */
        ACCEPTED,
        /** A copy of the answer already taken (a retransmission was answered too). */
        DUPLICATE,
        /** Not an answer to this side's request: forged, unsolicited or malformed. */
        REFUSED
    }

    private final InetSocketAddress server;
    private final StunMessage stun = new StunMessage();
    private final byte[] buffer = new byte[StunMessage.HEADER_BYTES + 8];
    private final ByteBuffer view = ByteBuffer.wrap(buffer);
    private final byte[] transaction = new byte[StunMessage.TRANSACTION_ID_BYTES];
    private final StunMessage.PeerAddress mapped = new StunMessage.PeerAddress();
    private int transmissions;
    private long sentNs;
    private long rtoNs = RTO_NS;
    private boolean done;
    private InetSocketAddress address;

    /** @param server the STUN server, or null for none (then nothing is asked and {@link #isDone()} is true) */
    public ReflexiveAddress(InetSocketAddress server) {
        this.server = server;
        this.done = server == null;
    }

    /**
     * Sends the request, or its retransmission, when due.
     *
     * @return the bytes sent (0 when nothing was due or the request could not be sent)
     */
    public int doWork(DatagramChannel socket, long nowNs) {
        if (done || transmissions > 0 && nowNs - sentNs < rtoNs) {
            return 0;
        }
        if (transmissions >= MAX_TRANSMISSIONS) {
            done = true;
            return 0;
        }
        if (transmissions == 0) {
            ThreadLocalRandom.current().nextBytes(transaction);
        } else {
            rtoNs *= 2;
        }
        transmissions++;
        sentNs = nowNs;
        int n = stun.begin(buffer, 0, StunMessage.BINDING, StunMessage.REQUEST, transaction, 0).putFingerprint().end();
        view.limit(n).position(0);
        try {
            return socket.send(view, server);
        } catch (IOException e) {
            return 0;
        }
    }

    /** Reads a STUN message that came to the socket. */
    public Answer onDatagram(byte[] b, int off, int length) {
        if (server == null || !stun.wrap(b, off, length) || stun.method() != StunMessage.BINDING
                || stun.messageClass() != StunMessage.SUCCESS || !stun.transactionIdEquals(transaction, 0)) {
            return Answer.REFUSED;
        }
        if (address != null) {
            return Answer.DUPLICATE;
        }
        if (!stun.xorAddress(StunMessage.XOR_MAPPED_ADDRESS, mapped)) {
            return Answer.REFUSED;
        }
        address = mapped.toSocketAddress();
        done = true;
        return Answer.ACCEPTED;
    }

    /** Whether the question is settled: answered, given up, or never asked. */
    public boolean isDone() {
        return done;
    }

    /** The socket's public address, or null while unknown. */
    public InetSocketAddress address() {
        return address;
    }

    /** Whether it gave up without an answer. */
    public boolean gaveUp() {
        return done && address == null && server != null;
    }

    public InetSocketAddress server() {
        return server;
    }
}
