package dev.viz.core.internal;

import dev.viz.core.Batcher;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.wire.PayloadHeader;
import org.jctools.queues.SpscArrayQueue;

/**
 * The network thread: batches encoded frames from the capture thread and sends them; receives
 * payloads, checks them, and hands their frames to the playback thread; sends keepalives and
 * enforces the idle timeout and the duration limit. Duty-cycle style: {@link #doWork} does what
 * there is to do and says how much; the loop idles with a backoff when there was nothing.
 */
final class NetworkAgent implements Runnable, Batcher.FrameHandler {
    /** Contact attempts while the peer has not answered yet. */
    private static final long HELLO_INTERVAL_NS = 250_000_000L;
    /** Datagrams read per duty cycle, so sending is never starved by a flood. */
    private static final int RECEIVE_BURST = 64;
    /** A bye is sent this many times: it is one small datagram and may be lost. */
    private static final int BYE_COPIES = 3;

    private final SessionEngine engine;
    private final Transport transport;
    private final Batcher batcher;
    private final SpscArrayQueue<EncodedFrame> fromCapture;
    private final SpscArrayQueue<EncodedFrame> captureFree;
    private final SpscArrayQueue<EncodedFrame> toPlayback;
    private final SpscArrayQueue<EncodedFrame> playbackFree;
    private final Counters counters;
    private final long idleTimeoutNs;
    private final long keepaliveIntervalNs;
    private final long durationNs;
    private final byte[] sendBuffer;
    private final byte[] receiveBuffer;
    private final byte[] controlBuffer = new byte[PayloadHeader.BYE_LENGTH];
    private final BackoffIdleStrategy idle = new BackoffIdleStrategy(50_000L, 1_000_000L);

    private long lastSendNs;
    private long lastReceiveNs;
    private long connectedAtNs;
    private long lastSequenceSent = PayloadHeader.NO_SEQUENCE;
    private boolean connected;
    private boolean byeSent;

    NetworkAgent(SessionEngine engine, Transport transport, Batcher batcher,
            SpscArrayQueue<EncodedFrame> fromCapture, SpscArrayQueue<EncodedFrame> captureFree,
            SpscArrayQueue<EncodedFrame> toPlayback, SpscArrayQueue<EncodedFrame> playbackFree,
            Counters counters, long idleTimeoutNs, long keepaliveIntervalNs, long durationNs) {
        this.engine = engine;
        this.transport = transport;
        this.batcher = batcher;
        this.fromCapture = fromCapture;
        this.captureFree = captureFree;
        this.toPlayback = toPlayback;
        this.playbackFree = playbackFree;
        this.counters = counters;
        this.idleTimeoutNs = idleTimeoutNs;
        this.keepaliveIntervalNs = keepaliveIntervalNs;
        this.durationNs = durationNs;
        this.sendBuffer = new byte[transport.maxPayloadBytes()];
        this.receiveBuffer = new byte[65_536];
    }

    @Override
    public void run() {
        try {
            long startNs = System.nanoTime();
            lastReceiveNs = startNs;
            lastSendNs = startNs - HELLO_INTERVAL_NS;
            while (engine.isRunning()) {
                idle.idle(doWork(System.nanoTime()));
            }
            sendBye();
        } catch (RuntimeException | Error e) {
            engine.fail("network thread failed: " + e, e);
        } finally {
            transport.close();
        }
    }

    int doWork(long nowNs) {
        int work = transport.doWork(nowNs);
        work += receive(nowNs);
        work += send(nowNs);
        work += timers(nowNs);
        counters.set(Stat.WIRE_BYTES_SENT, transport.wireBytesSent());
        counters.set(Stat.WIRE_BYTES_RECEIVED, transport.wireBytesReceived());
        return work;
    }

    private int receive(long nowNs) {
        int work = 0;
        for (int i = 0; i < RECEIVE_BURST; i++) {
            int length = transport.receive(receiveBuffer, 0, receiveBuffer.length);
            if (length <= 0) {
                break;
            }
            work++;
            counters.increment(Stat.DATAGRAMS_RECEIVED);
            counters.add(Stat.PAYLOAD_BYTES_RECEIVED, length);
            if (onPayload(length)) {
                transport.acceptPeer();
                lastReceiveNs = nowNs;
                if (!connected) {
                    connected = true;
                    connectedAtNs = nowNs;
                    engine.onConnected();
                    sendControl(PayloadHeader.KIND_KEEPALIVE, nowNs);
                } else if (engine.isReconnecting()) {
                    engine.onConnected();
                }
            } else {
                counters.increment(Stat.DATAGRAMS_MALFORMED);
            }
        }
        return work;
    }

    /** Returns whether the payload was valid. */
    private boolean onPayload(int length) {
        byte header = receiveBuffer[0];
        if (PayloadHeader.version(header) != PayloadHeader.VERSION) {
            return false;
        }
        switch (PayloadHeader.kind(header)) {
            case PayloadHeader.KIND_AUDIO:
                return batcher.read(receiveBuffer, 0, length, this) >= 0;
            case PayloadHeader.KIND_KEEPALIVE:
                return length == PayloadHeader.LENGTH;
            case PayloadHeader.KIND_BYE:
                if (length != PayloadHeader.BYE_LENGTH) {
                    return false;
                }
                engine.onPeerBye(PayloadHeader.getUnsignedInt(receiveBuffer, PayloadHeader.LENGTH));
                return true;
            default:
                return false;
        }
    }

    @Override
    public void onFrame(long sequence, byte[] buffer, int offset, int length) {
        counters.increment(Stat.FRAMES_RECEIVED);
        EncodedFrame frame = playbackFree.poll();
        if (frame == null) {
            counters.increment(Stat.FRAMES_OVERFLOW);
            return;
        }
        frame.set(sequence, buffer, offset, length);
        if (!toPlayback.offer(frame)) {
            // Cannot happen: the queue holds the whole pool. Keep the frame out of circulation rather than lose track.
            counters.increment(Stat.FRAMES_OVERFLOW);
        }
    }

    private int send(long nowNs) {
        int work = 0;
        EncodedFrame frame;
        while ((frame = fromCapture.poll()) != null) {
            work++;
            if ((frame.flags & EncodedFrame.FLAG_END_OF_STREAM) != 0) {
                captureFree.offer(frame);
                flush(nowNs);
                engine.onInputEnded();
                continue;
            }
            if (batcher.append(frame.sequence, frame.data, 0, frame.length) == Batcher.FLUSH_FIRST) {
                flush(nowNs);
                batcher.append(frame.sequence, frame.data, 0, frame.length);
            }
            captureFree.offer(frame);
            if (batcher.isComplete()) {
                flush(nowNs);
            }
        }
        return work;
    }

    private void flush(long nowNs) {
        int frames = batcher.pendingFrames();
        if (frames == 0) {
            return;
        }
        int length = batcher.flush(sendBuffer, 0);
        if (length > 0 && sendPayload(sendBuffer, length, nowNs)) {
            counters.add(Stat.FRAMES_SENT, frames);
            lastSequenceSent = (PayloadHeader.getUnsignedInt(sendBuffer, dev.viz.core.wire.AudioBatch.FIRST_SEQUENCE_OFFSET)
                    + frames - 1) & 0xFFFF_FFFFL;
        } else {
            counters.add(Stat.FRAMES_NOT_SENT, frames);
        }
    }

    private int timers(long nowNs) {
        if (!connected) {
            if (transport.isReady() && nowNs - lastSendNs >= HELLO_INTERVAL_NS) {
                sendControl(PayloadHeader.KIND_KEEPALIVE, nowNs);
                return 1;
            }
            return 0;
        }
        if (nowNs - lastReceiveNs >= idleTimeoutNs) {
            engine.end("nothing from the peer for " + idleTimeoutNs / 1_000_000_000L + " s", true);
            return 1;
        }
        if (durationNs > 0 && nowNs - connectedAtNs >= durationNs) {
            flush(nowNs);
            engine.end("duration reached", true);
            return 1;
        }
        counters.set(Stat.CONNECTED_NS, nowNs - connectedAtNs);
        if (nowNs - lastSendNs >= keepaliveIntervalNs) {
            sendControl(PayloadHeader.KIND_KEEPALIVE, nowNs);
            return 1;
        }
        return 0;
    }

    private void sendControl(int kind, long nowNs) {
        controlBuffer[0] = PayloadHeader.encode(kind);
        int length = PayloadHeader.LENGTH;
        if (kind == PayloadHeader.KIND_BYE) {
            PayloadHeader.putInt(controlBuffer, PayloadHeader.LENGTH, (int) lastSequenceSent);
            length = PayloadHeader.BYE_LENGTH;
        }
        sendPayload(controlBuffer, length, nowNs);
    }

    private boolean sendPayload(byte[] buffer, int length, long nowNs) {
        int status = transport.send(buffer, 0, length);
        if (status != length) {
            return false;
        }
        lastSendNs = nowNs;
        counters.increment(Stat.DATAGRAMS_SENT);
        counters.add(Stat.PAYLOAD_BYTES_SENT, length);
        return true;
    }

    /** Tells the peer the call is over, unless it told us first. */
    private void sendBye() {
        if (byeSent || engine.peerSaidBye() || !transport.isReady()) {
            return;
        }
        byeSent = true;
        long nowNs = System.nanoTime();
        flush(nowNs);
        for (int i = 0; i < BYE_COPIES; i++) {
            sendControl(PayloadHeader.KIND_BYE, nowNs);
        }
        counters.set(Stat.WIRE_BYTES_SENT, transport.wireBytesSent());
    }
}
