package dev.viz.core.internal;

import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.wire.PayloadHeader;

/**
 * The sending side of the transport: sends a payload and counts it, remembers when something last
 * went out (for keepalives), and writes the session's two one-line control payloads, keepalive and
 * bye ({@link PayloadHeader}). {@link Sender}, {@link Reports} and {@link LinkTimers} send through
 * it. Network thread only.
 */
final class Link {
    final Transport transport;
    private final Counters counters;
    private final byte[] controlBuffer = new byte[PayloadHeader.BYE_LENGTH];
    long lastSendNs;

    Link(Transport transport, Counters counters) {
        this.transport = transport;
        this.counters = counters;
    }

    /** Sends one payload; returns whether the transport took all of it. */
    boolean send(byte[] buffer, int offset, int length, long nowNs) {
        int status = transport.send(buffer, offset, length);
        if (status != length) {
            return false;
        }
        lastSendNs = nowNs;
        counters.increment(Stat.DATAGRAMS_SENT);
        counters.add(Stat.PAYLOAD_BYTES_SENT, length);
        return true;
    }

    void sendKeepalive(long nowNs) {
        controlBuffer[0] = PayloadHeader.encode(PayloadHeader.KIND_KEEPALIVE);
        send(controlBuffer, 0, PayloadHeader.LENGTH, nowNs);
    }

    /** A bye: the call is over, and {@code lastSequenceSent} was the last frame. */
    void sendBye(long lastSequenceSent, long nowNs) {
        controlBuffer[0] = PayloadHeader.encode(PayloadHeader.KIND_BYE);
        PayloadHeader.putInt(controlBuffer, PayloadHeader.LENGTH, (int) lastSequenceSent);
        send(controlBuffer, 0, PayloadHeader.BYE_LENGTH, nowNs);
    }

    /** Publishes the transport's wire byte counts. */
    void publishWireBytes() {
        counters.set(Stat.WIRE_BYTES_SENT, transport.wireBytesSent());
        counters.set(Stat.WIRE_BYTES_RECEIVED, transport.wireBytesReceived());
    }
}
