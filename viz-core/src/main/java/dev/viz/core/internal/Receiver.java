package dev.viz.core.internal;

import dev.viz.core.Batcher;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.wire.PayloadHeader;
import dev.viz.core.wire.ReceiverReport;
import org.jctools.queues.SpscArrayQueue;

/**
 * The receiving half of the network thread: reads payloads from the transport, routes each by its
 * first byte (a batch to the {@link Batcher}, a report to {@link Reports}, a bye to the
 * {@link SessionSignals}, a keepalive nowhere), and hands each frame the batcher reads, stamped
 * with its datagram's arrival, to the playback thread in a pooled {@link EncodedFrame}. It counts
 * what is malformed and drops it. It notes when the last valid payload came
 * ({@link #lastValidPayloadNs}), which {@link LinkTimers} reads to know the peer is alive.
 * Before a batch's copies and frames ({@link #onBatch(long, int, int)}, from the batcher) it asks
 * {@link ReceptionStats#onBatchStart} whether the peer's numbering started again (it restarted): a
 * batch that may start a new stream is dropped until the next confirms it, and the first frame of a
 * new stream is flagged {@link EncodedFrame#FLAG_NEW_STREAM} so the playout starts afresh.
 * Network thread only.
 */
final class Receiver implements Batcher.FrameHandler {
    /** Datagrams read per duty cycle, so sending is never starved by a flood. */
    private static final int RECEIVE_BURST = 64;
    /** {@link #lastValidPayloadNs} before the first valid payload. */
    static final long NEVER = Long.MIN_VALUE;

    private final Transport transport;
    private final Batcher batcher;
    private final ReceptionStats reception;
    private final Reports reports;
    private final SessionSignals signals;
    private final SpscArrayQueue<EncodedFrame> toPlayback;
    private final SpscArrayQueue<EncodedFrame> playbackFree;
    private final Counters counters;
    private final long frameNs;
    private final int framesPerBatch;
    private final byte[] receiveBuffer = new byte[65_536];
    private long lastValidPayloadNs = NEVER;

    // The batch being read: what its frames are stamped with (from onBatch).
    private long batchArrivalNs;
    private long batchFirst;
    private long batchSpanNs;
    private boolean batchFec;
    private int batchCount;
    /** The batch may start a new stream ({@link ReceptionStats#MAYBE_NEW_STREAM}): its frames and copies are dropped. */
    private boolean batchDropped;
    /** The peer's stream started anew: the next frame handed to the playout says so. */
    private boolean newStream;

    Receiver(Transport transport, Batcher batcher, ReceptionStats reception, Reports reports,
            SessionSignals signals, SpscArrayQueue<EncodedFrame> toPlayback, SpscArrayQueue<EncodedFrame> playbackFree,
            Counters counters, long frameNs, int framesPerBatch) {
        this.transport = transport;
        this.batcher = batcher;
        this.reception = reception;
        this.reports = reports;
        this.signals = signals;
        this.toPlayback = toPlayback;
        this.playbackFree = playbackFree;
        this.counters = counters;
        this.frameNs = frameNs;
        this.framesPerBatch = framesPerBatch;
    }

    int poll(long nowNs) {
        int work = 0;
        for (int i = 0; i < RECEIVE_BURST; i++) {
            int length = transport.receive(receiveBuffer, 0, receiveBuffer.length);
            if (length <= 0) {
                break;
            }
            work++;
            counters.increment(Stat.DATAGRAMS_RECEIVED);
            counters.add(Stat.PAYLOAD_BYTES_RECEIVED, length);
            if (onPayload(length, nowNs)) {
                transport.acceptPeer();
                lastValidPayloadNs = nowNs;
            } else {
                counters.increment(Stat.DATAGRAMS_MALFORMED);
            }
        }
        return work;
    }

    /** When the last valid payload arrived; {@link #NEVER} before the first. */
    long lastValidPayloadNs() {
        return lastValidPayloadNs;
    }

    /** Returns whether the payload was valid. */
    private boolean onPayload(int length, long nowNs) {
        byte header = receiveBuffer[0];
        if (header == Batcher.PAYLOAD_TYPE) {
            return onBatch(0, length, nowNs);
        }
        if (PayloadHeader.version(header) != PayloadHeader.VERSION) {
            return false;
        }
        switch (PayloadHeader.kind(header)) {
            case PayloadHeader.KIND_KEEPALIVE:
                return length == PayloadHeader.LENGTH;
            case PayloadHeader.KIND_BYE:
                if (length != PayloadHeader.BYE_LENGTH) {
                    return false;
                }
                signals.peerSaidBye(PayloadHeader.getUnsignedInt(receiveBuffer, PayloadHeader.LENGTH));
                return true;
            case PayloadHeader.KIND_REPORT:
                if (!ReceiverReport.isValid(receiveBuffer, 0, length)) {
                    return false;
                }
                if (ReceiverReport.batchFollows(receiveBuffer, 0)) {
                    int at = ReceiverReport.LENGTH;
                    if (receiveBuffer[at] != Batcher.PAYLOAD_TYPE || !onBatch(at, length - at, nowNs)) {
                        return false;
                    }
                }
                reports.onReport(receiveBuffer, 0, nowNs);
                return true;
            default:
                return false;
        }
    }

    private boolean onBatch(int offset, int length, long nowNs) {
        batchArrivalNs = nowNs;
        batchCount = -1;
        batchDropped = false;
        if (batcher.read(receiveBuffer, offset, length, this) < 0 || batchCount < 0) {
            return false;
        }
        if (batchDropped) {
            return true; // the peer may have restarted; its next batch tells (ReceptionStats)
        }
        reception.onBatch(batchFirst, batchCount, nowNs);
        counters.set(Stat.FRAMES_LOST, reception.lostFrames());
        return true;
    }

    @Override
    public void onBatch(long firstSequence, int frames, int batchFlags) {
        batchFirst = firstSequence;
        batchCount = frames;
        batchFec = (batchFlags & Batcher.BATCH_FEC) != 0;
        batchSpanNs = batchFec ? frameNs : 0;
        // Before the batch's copies and frames: a peer that restarted numbers from 0 again.
        int stream = reception.onBatchStart(firstSequence, frames);
        batchDropped = stream == ReceptionStats.MAYBE_NEW_STREAM;
        newStream |= stream == ReceptionStats.NEW_STREAM;
    }

    @Override
    public void onRedundantFrame(long sequence, byte[] buffer, int offset, int length) {
        // Copies come before the batch's frames: their number says how much later than its frame a
        // copy arrives, which the playout must wait for to use them.
        batchSpanNs = Math.max(batchSpanNs, ((batchFirst - sequence) & 0xFFFF_FFFFL) * frameNs);
        if (batchDropped || !reception.wantsCopy(sequence) || length > EncodedFrame.MAX_COPY_BYTES) {
            return;
        }
        EncodedFrame frame = playbackFree.poll();
        if (frame == null) {
            counters.increment(Stat.FRAMES_OVERFLOW);
            return;
        }
        frame.set(sequence, buffer, offset, length);
        frame.flags = EncodedFrame.FLAG_REDUNDANT;
        frame.arrivalNs = batchArrivalNs;
        frame.recoverySpanNs = 0;
        toPlayback.offer(frame);
    }

    @Override
    public void onFrame(long sequence, byte[] buffer, int offset, int length) {
        if (batchDropped) {
            return;
        }
        int status = reception.onFrame(sequence);
        if (status == ReceptionStats.DUPLICATE) {
            counters.increment(Stat.FRAMES_DUPLICATE);
            return;
        }
        if (status == ReceptionStats.NEW) {
            counters.increment(Stat.FRAMES_RECEIVED);
        }
        EncodedFrame frame = playbackFree.poll();
        if (frame == null) {
            counters.increment(Stat.FRAMES_OVERFLOW);
            return;
        }
        frame.set(sequence, buffer, offset, length);
        frame.flags = (batchFec ? EncodedFrame.FLAG_FEC : 0)
                | (length > 0 || batchCount <= framesPerBatch ? EncodedFrame.FLAG_TIMED : 0);
        frame.arrivalNs = batchArrivalNs;
        frame.recoverySpanNs = batchSpanNs;
        if (newStream) {
            frame.flags |= EncodedFrame.FLAG_NEW_STREAM;
            newStream = false;
        }
        if (!toPlayback.offer(frame)) {
            // Cannot happen: the queue holds the whole pool. Keep the frame out of circulation rather than lose track.
            counters.increment(Stat.FRAMES_OVERFLOW);
        }
    }
}
