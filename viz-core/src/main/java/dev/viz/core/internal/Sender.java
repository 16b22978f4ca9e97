package dev.viz.core.internal;

import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.wire.PayloadHeader;
import dev.viz.core.wire.ReceiverReport;
import org.jctools.queues.SpscArrayQueue;

/**
 * The sending half of the network thread, and the only part that sends: takes encoded frames from
 * the capture thread, appends them to the {@link Batcher} and flushes a batch when it is complete;
 * lets a due receiver report ride in front of it, or sends it alone when {@link Reports} says it
 * waited long enough; sends the one-byte keepalive and the bye ({@link PayloadHeader}) that
 * {@link LinkTimers} and the end of the call ask for, and remembers when something last went out.
 * While the input is silent (DTX, empty frames) it gathers up to {@link #dtxBatchFrames} frames per
 * datagram, so silence costs about three tiny datagrams a second
 * whatever the profile. It keeps the redundant copies the capture thread made, for the batches
 * after their frames', as many as the reports decided ({@link SessionSignals#copiesPerBatch}). Network thread only.
 */
final class Sender {
    /** Silence gathered per datagram: at least this long. */
    private static final int DTX_BATCH_MS = 320;
    /** A due report waits this long for a batch to ride with, then goes alone. */
    private static final long REPORT_MAX_WAIT_NS = 400_000_000L;
    /** A bye is sent this many times: it is one small datagram and may be lost. */
    private static final int BYE_COPIES = 3;

    final Transport transport;
    private final Batcher batcher;
    private final Reports reports;
    private final SpscArrayQueue<EncodedFrame> fromCapture;
    private final SpscArrayQueue<EncodedFrame> captureFree;
    private final Counters counters;
    private final SessionSignals signals;
    private final boolean endWhenInputEnds;
    /** Whether a report fits in front of a batch in one payload. */
    private final boolean reportCanRide;
    private final int framesPerBatch;
    private final int dtxBatchFrames;
    private final byte[] sendBuffer;
    private final byte[] empty = new byte[0];
    private final byte[] controlBuffer = new byte[Math.max(PayloadHeader.BYE_LENGTH, ReceiverReport.LENGTH)];

    private final int copyHistory;
    private final long[] copySequence;
    private final int[] copyLength;
    private final byte[][] copyData;

    private long lastSequenceSent = PayloadHeader.NO_SEQUENCE;
    private long lastAppendedSequence;
    private boolean lastWasEmpty;
    private int nonEmptyPending;
    private boolean pendingFec;
    private boolean byeSent;
    private long reportDueSinceNs = -1;
    /** When something last went out (the keepalive timer reads it). */
    long lastSendNs;

    Sender(Transport transport, Batcher batcher, Reports reports, AudioFormat format, int framesPerBatch,
            SpscArrayQueue<EncodedFrame> fromCapture, SpscArrayQueue<EncodedFrame> captureFree, Counters counters,
            SessionSignals signals, boolean endWhenInputEnds, boolean reportCanRide) {
        this.transport = transport;
        this.batcher = batcher;
        this.reports = reports;
        this.fromCapture = fromCapture;
        this.captureFree = captureFree;
        this.counters = counters;
        this.signals = signals;
        this.endWhenInputEnds = endWhenInputEnds;
        this.reportCanRide = reportCanRide;
        this.framesPerBatch = framesPerBatch;
        this.dtxBatchFrames = dtxBatchFrames(format, framesPerBatch, batcher.maxFramesPerBatch());
        // Batches are flushed after room for a report, so a report can be written in front of one.
        this.sendBuffer = new byte[ReceiverReport.LENGTH + transport.maxPayloadBytes()];
        this.copyHistory = Math.max(1, batcher.maxCopies());
        this.copySequence = new long[copyHistory];
        this.copyLength = new int[copyHistory];
        this.copyData = new byte[batcher.maxCopies() == 0 ? 0 : copyHistory][EncodedFrame.MAX_COPY_BYTES];
        java.util.Arrays.fill(copySequence, -1);
    }

    /** Frames of silence gathered per datagram: enough for {@value #DTX_BATCH_MS} ms, at least a batch. */
    static int dtxBatchFrames(AudioFormat format, int framesPerBatch, int maxFramesPerBatch) {
        int frames = (DTX_BATCH_MS + format.frameMs() - 1) / format.frameMs();
        return Math.min(maxFramesPerBatch, Math.max(framesPerBatch, frames));
    }

    int poll(long nowNs) {
        int work = 0;
        EncodedFrame frame;
        while ((frame = fromCapture.poll()) != null) {
            work++;
            if ((frame.flags & EncodedFrame.FLAG_END_OF_STREAM) != 0) {
                captureFree.offer(frame);
                inputEnded(nowNs);
                continue;
            }
            keepCopy(frame);
            if (batcher.append(frame.sequence, frame.data, 0, frame.length) == Batcher.FLUSH_FIRST) {
                flush(nowNs);
                batcher.append(frame.sequence, frame.data, 0, frame.length);
            }
            lastAppendedSequence = frame.sequence;
            boolean isEmpty = frame.length == 0;
            // Silence begins: say so at once when silence is gathered beyond a batch, so that the
            // receiver plays comfort noise for the frames that follow instead of concealing them.
            boolean onset = isEmpty && !lastWasEmpty && dtxBatchFrames > framesPerBatch;
            lastWasEmpty = isEmpty;
            if (!isEmpty) {
                nonEmptyPending++;
                pendingFec |= (frame.flags & EncodedFrame.FLAG_FEC) != 0;
            }
            captureFree.offer(frame);
            if (onset || nonEmptyPending >= framesPerBatch || batcher.pendingFrames() >= dtxBatchFrames) {
                flush(nowNs);
            }
        }
        return work;
    }

    private void inputEnded(long nowNs) {
        flush(nowNs);
        if (reports.copiesWantedAtEnd() && lastAppendedSequence > 0) {
            // The last batch has no later datagram to carry its copies: on a lossy path, send one
            // more, with one empty (silent) frame, that does.
            lastAppendedSequence++;
            batcher.append(lastAppendedSequence, empty, 0, 0);
            flush(nowNs);
        }
        if (endWhenInputEnds) {
            signals.end("the input ended");
        }
    }

    /** Remembers the frame's redundant copy (or that it has none) for the batches after it. */
    private void keepCopy(EncodedFrame frame) {
        if (copyData.length == 0) {
            return;
        }
        int slot = (int) (frame.sequence % copyHistory);
        if (frame.copyLength < 0) {
            copySequence[slot] = -1;
            return;
        }
        copySequence[slot] = frame.sequence & 0xFFFF_FFFFL;
        copyLength[slot] = frame.copyLength;
        System.arraycopy(frame.copy, 0, copyData[slot], 0, frame.copyLength);
    }

    /** Sends the pending batch, if any, with a due report in front when both fit. */
    void flush(long nowNs) {
        int frames = batcher.pendingFrames();
        if (frames == 0) {
            return;
        }
        addCopies();
        int at = ReceiverReport.LENGTH;
        int length = batcher.flush(sendBuffer, at, pendingFec ? Batcher.BATCH_FEC : 0);
        nonEmptyPending = 0;
        pendingFec = false;
        if (length <= 0) {
            counters.add(Stat.FRAMES_NOT_SENT, frames);
            return;
        }
        boolean withReport = reportDueSinceNs >= 0 && length + ReceiverReport.LENGTH <= transport.maxPayloadBytes();
        boolean sent;
        if (withReport) {
            reports.write(sendBuffer, 0, true, nowNs);
            sent = send(sendBuffer, 0, ReceiverReport.LENGTH + length, nowNs);
            if (sent) {
                reportSent();
            }
        } else {
            sent = send(sendBuffer, at, length, nowNs);
        }
        if (sent) {
            counters.add(Stat.FRAMES_SENT, frames);
            lastSequenceSent = lastAppendedSequence & 0xFFFF_FFFFL;
        } else {
            counters.add(Stat.FRAMES_NOT_SENT, frames);
        }
    }

    /** Adds copies of the frames before the pending batch, newest first, as many as wanted and fit. */
    private void addCopies() {
        int wanted = Math.min(signals.copiesPerBatch(), copyData.length);
        // The pending batch's frames are consecutive and end with the last one appended.
        long first = lastAppendedSequence - batcher.pendingFrames() + 1;
        for (int k = 1; k <= wanted; k++) {
            long sequence = (first - k) & 0xFFFF_FFFFL;
            if (first - k < 0) {
                // Before frame 0 the stream was silent: empty copies of those frames cost 2 bytes each
                // and tell the receiver from the first datagram how far behind its frames the copies
                // come, so its playout starts with the delay recovery needs instead of moving to it
                // one datagram later.
                if (batcher.appendRedundant(sequence, empty, 0, 0) != Batcher.APPENDED) {
                    return;
                }
                continue;
            }
            int slot = (int) (((first - k) % copyHistory + copyHistory) % copyHistory);
            if (copySequence[slot] != sequence) {
                return;
            }
            if (batcher.appendRedundant(sequence, copyData[slot], 0, copyLength[slot]) != Batcher.APPENDED) {
                return;
            }
        }
    }

    /** Tells the peer the call is over, unless it told us first; sends what is pending before. */
    void sendBye(long nowNs) {
        if (byeSent || signals.hasPeerSaidBye() || !transport.isReady()) {
            return;
        }
        byeSent = true;
        flush(nowNs);
        controlBuffer[0] = PayloadHeader.encode(PayloadHeader.KIND_BYE);
        PayloadHeader.putInt(controlBuffer, PayloadHeader.LENGTH, (int) lastSequenceSent);
        for (int i = 0; i < BYE_COPIES; i++) {
            send(controlBuffer, 0, PayloadHeader.BYE_LENGTH, nowNs);
        }
        publishWireBytes();
    }

    /** A keepalive: the one-byte payload that says this side is here. */
    void sendKeepalive(long nowNs) {
        controlBuffer[0] = PayloadHeader.encode(PayloadHeader.KIND_KEEPALIVE);
        send(controlBuffer, 0, PayloadHeader.LENGTH, nowNs);
    }

    /** A report interval closed ({@link Reports#poll}): the next batch carries the report. */
    void reportDue(long nowNs) {
        if (reportDueSinceNs < 0) {
            reportDueSinceNs = nowNs;
        }
    }

    /**
     * Sends the due report alone when it waited {@value #REPORT_MAX_WAIT_NS} ns for a batch to ride
     * with, or can never ride one; returns whether it did.
     */
    boolean sendOverdueReport(long nowNs) {
        if (reportDueSinceNs < 0 || (reportCanRide && nowNs - reportDueSinceNs < REPORT_MAX_WAIT_NS)) {
            return false;
        }
        reports.write(controlBuffer, 0, false, nowNs);
        if (send(controlBuffer, 0, ReceiverReport.LENGTH, nowNs)) {
            reportSent();
        }
        return true;
    }

    private void reportSent() {
        reportDueSinceNs = -1;
        counters.increment(Stat.REPORTS_SENT);
    }

    /** Publishes the transport's wire byte counts. */
    void publishWireBytes() {
        counters.set(Stat.WIRE_BYTES_SENT, transport.wireBytesSent());
        counters.set(Stat.WIRE_BYTES_RECEIVED, transport.wireBytesReceived());
    }

    /** Sends one payload and counts it; returns whether the transport took all of it. */
    private boolean send(byte[] buffer, int offset, int length, long nowNs) {
        if (transport.send(buffer, offset, length) != length) {
            return false;
        }
        lastSendNs = nowNs;
        counters.increment(Stat.DATAGRAMS_SENT);
        counters.add(Stat.PAYLOAD_BYTES_SENT, length);
        return true;
    }
}
