package dev.viz.core.internal;

import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.wire.AudioBatch;
import dev.viz.core.wire.PayloadHeader;
import dev.viz.core.wire.ReceiverReport;
import org.jctools.queues.SpscArrayQueue;

/**
 * The network thread: batches encoded frames from the capture thread and sends them; receives
 * payloads, checks them, and hands their frames to the playback thread; sends keepalives and
 * enforces the idle timeout and the duration limit. Duty-cycle style: {@link #doWork} does what
 * there is to do and says how much; the loop idles with a backoff when there was nothing. It has no
 * clock of its own (the time comes in {@code doWork}), so a simulated clock can drive it.
 *
 * <p>Real-time duties: it measures the peer's stream ({@link ReceptionStats}: loss, jitter,
 * duplicates) and sends a receiver report about once a second, riding in the same datagram as a
 * batch when one is due; it computes the round-trip time from the peer's reports and adapts
 * ({@link LossAdaptation}) the encoder's expected loss (in-band FEC), its bitrate, and the redundant
 * copies of earlier frames each batch carries. While the input is silent (DTX, empty frames) it
 * gathers up to {@link #dtxBatchFrames} frames per datagram, so silence costs about three tiny
 * datagrams a second whatever the profile.
 */
final class NetworkAgent implements Runnable, Batcher.FrameHandler {
    /** Contact attempts while the peer has not answered yet. */
    private static final long HELLO_INTERVAL_NS = 250_000_000L;
    /** Datagrams read per duty cycle, so sending is never starved by a flood. */
    private static final int RECEIVE_BURST = 64;
    /** A bye is sent this many times: it is one small datagram and may be lost. */
    private static final int BYE_COPIES = 3;
    /** How often a receiver report goes to the peer (and the bitrates are measured). */
    static final long REPORT_INTERVAL_NS = 1_000_000_000L;
    /** A due report waits this long for a batch to ride with, then goes alone. */
    private static final long REPORT_MAX_WAIT_NS = 400_000_000L;
    /** A round trip longer than this is not believed. */
    private static final long MAX_RTT_US = 60_000_000L;
    /** Silence gathered per datagram: at least this long. */
    private static final int DTX_BATCH_MS = 320;
    /** Audio sent for this long while the peer's reports say it received none: warn of a path MTU black hole. */
    private static final long BLACK_HOLE_NS = 3_000_000_000L;
    /** Redundant copies remembered: two batches of the largest size. */
    private static final int COPY_HISTORY = AudioBatch.MAX_COPIES;

    private final SessionEngine engine;
    private final Transport transport;
    private final Batcher batcher;
    private final AudioFormat format;
    private final long frameNs;
    private final int framesPerBatch;
    private final int dtxBatchFrames;
    private final SpscArrayQueue<EncodedFrame> fromCapture;
    private final SpscArrayQueue<EncodedFrame> captureFree;
    private final SpscArrayQueue<EncodedFrame> toPlayback;
    private final SpscArrayQueue<EncodedFrame> playbackFree;
    private final Counters counters;
    private final long idleTimeoutNs;
    private final long keepaliveIntervalNs;
    private final long durationNs;
    private final int reportRoom;
    private final LossAdaptation adaptation;
    private final EncoderControl control;
    private final ReceptionStats reception;
    private final byte[] sendBuffer;
    private final byte[] receiveBuffer;
    private final byte[] controlBuffer = new byte[ReceiverReport.LENGTH];
    private final BackoffIdleStrategy idle = new BackoffIdleStrategy(50_000L, 1_000_000L);

    private final long[] copySequence = new long[COPY_HISTORY];
    private final int[] copyLength = new int[COPY_HISTORY];
    private final byte[][] copyData = new byte[COPY_HISTORY][EncodedFrame.MAX_COPY_BYTES];

    private long lastSendNs;
    private long lastReceiveNs;
    private long connectedAtNs;
    private long lastSequenceSent = PayloadHeader.NO_SEQUENCE;
    private boolean connected;
    private boolean byeSent;
    private int nonEmptyPending;
    private long lastAppendedSequence;
    private boolean lastWasEmpty;
    private boolean pendingFec;

    // Receiving a batch: what its frames are stamped with.
    private long batchArrivalNs;
    private long batchFirst;
    private long batchSpanNs;
    private int batchFlags;
    private int batchCount;
    /** The peer's stream started anew: the next frame handed to the playout says so. */
    private boolean newStream;
    private boolean blackHoleWarned;

    // Reports.
    private long nextReportNs;
    private long reportDueSinceNs = -1;
    private long peerTimestampUs;
    private long peerTimestampArrivalNs;
    private long lastWireSent;
    private long lastWireReceived;
    private long lastRateNs;
    private long smoothedRttUs = -1;

    NetworkAgent(SessionEngine engine, Transport transport, Batcher batcher, AudioFormat format, int framesPerBatch,
            int dtxBatchFrames, SpscArrayQueue<EncodedFrame> fromCapture, SpscArrayQueue<EncodedFrame> captureFree,
            SpscArrayQueue<EncodedFrame> toPlayback, SpscArrayQueue<EncodedFrame> playbackFree,
            Counters counters, long idleTimeoutNs, long keepaliveIntervalNs, long durationNs, int reportRoom,
            LossAdaptation adaptation, EncoderControl control) {
        this.engine = engine;
        this.transport = transport;
        this.batcher = batcher;
        this.format = format;
        this.frameNs = format.frameNs();
        this.framesPerBatch = framesPerBatch;
        this.dtxBatchFrames = dtxBatchFrames;
        this.fromCapture = fromCapture;
        this.captureFree = captureFree;
        this.toPlayback = toPlayback;
        this.playbackFree = playbackFree;
        this.counters = counters;
        this.idleTimeoutNs = idleTimeoutNs;
        this.keepaliveIntervalNs = keepaliveIntervalNs;
        this.durationNs = durationNs;
        this.reportRoom = reportRoom;
        this.adaptation = adaptation;
        this.control = control;
        this.reception = new ReceptionStats(frameNs);
        // Batches are flushed after room for a report, so a report can be written in front of one.
        this.sendBuffer = new byte[ReceiverReport.LENGTH + transport.maxPayloadBytes()];
        this.receiveBuffer = new byte[65_536];
        for (int i = 0; i < COPY_HISTORY; i++) {
            copySequence[i] = -1;
        }
        publishControl();
    }

    /** Frames of silence gathered per datagram: enough for {@value #DTX_BATCH_MS} ms, at least a batch. */
    static int dtxBatchFrames(AudioFormat format, int framesPerBatch) {
        int frames = (DTX_BATCH_MS + format.frameMs() - 1) / format.frameMs();
        return Math.min(dev.viz.core.VoiceSession.Builder.MAX_FRAMES_PER_BATCH, Math.max(framesPerBatch, frames));
    }

    @Override
    public void run() {
        try {
            begin(System.nanoTime());
            while (engine.isRunning()) {
                idle.idle(doWork(System.nanoTime()));
            }
            sendBye(System.nanoTime());
        } catch (RuntimeException | Error e) {
            engine.fail("network thread failed: " + e, e);
        } finally {
            transport.close();
        }
    }

    /** Starts the timers; call once before the first {@link #doWork}. */
    void begin(long nowNs) {
        lastReceiveNs = nowNs;
        lastSendNs = nowNs - HELLO_INTERVAL_NS;
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

    // ---- receiving ------------------------------------------------------------------------------

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
            if (onPayload(length, nowNs)) {
                transport.acceptPeer();
                lastReceiveNs = nowNs;
                if (!connected) {
                    connected = true;
                    connectedAtNs = nowNs;
                    nextReportNs = nowNs + REPORT_INTERVAL_NS;
                    lastRateNs = nowNs;
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
    private boolean onPayload(int length, long nowNs) {
        byte header = receiveBuffer[0];
        if (PayloadHeader.version(header) != PayloadHeader.VERSION) {
            return false;
        }
        switch (PayloadHeader.kind(header)) {
            case PayloadHeader.KIND_AUDIO:
                return onBatch(0, length, nowNs);
            case PayloadHeader.KIND_KEEPALIVE:
                return length == PayloadHeader.LENGTH;
            case PayloadHeader.KIND_BYE:
                if (length != PayloadHeader.BYE_LENGTH) {
                    return false;
                }
                engine.onPeerBye(PayloadHeader.getUnsignedInt(receiveBuffer, PayloadHeader.LENGTH));
                return true;
            case PayloadHeader.KIND_REPORT:
                if (!ReceiverReport.isValid(receiveBuffer, 0, length)) {
                    return false;
                }
                if (ReceiverReport.batchFollows(receiveBuffer, 0)) {
                    int at = ReceiverReport.LENGTH;
                    if (PayloadHeader.kind(receiveBuffer[at]) != PayloadHeader.KIND_AUDIO
                            || !onBatch(at, length - at, nowNs)) {
                        return false;
                    }
                }
                onReport(nowNs);
                return true;
            default:
                return false;
        }
    }

    private boolean onBatch(int offset, int length, long nowNs) {
        if (length < AudioBatch.HEADER_LENGTH) {
            return false;
        }
        batchArrivalNs = nowNs;
        batchFirst = AudioBatch.firstSequence(receiveBuffer, offset);
        batchFlags = AudioBatch.flags(receiveBuffer, offset);
        batchCount = AudioBatch.count(receiveBuffer, offset);
        batchSpanNs = (batchFlags & AudioBatch.FLAG_FEC) != 0 ? frameNs : 0;
        int stream = reception.onBatchStart(batchFirst, batchCount);
        if (stream == ReceptionStats.MAYBE_NEW_STREAM) {
            return true; // the peer may have restarted; its next batch tells (ReceptionStats)
        }
        newStream |= stream == ReceptionStats.NEW_STREAM;
        if (batcher.read(receiveBuffer, offset, length, this) < 0) {
            return false;
        }
        reception.onBatch(batchFirst, AudioBatch.count(receiveBuffer, offset), nowNs);
        counters.set(Stat.FRAMES_LOST, reception.lostFrames());
        return true;
    }

    @Override
    public void onRedundantFrame(long sequence, byte[] buffer, int offset, int length) {
        // Copies come before the batch's frames: their number says how much later than its frame a
        // copy arrives, which the playout must wait for to use them.
        batchSpanNs = Math.max(batchSpanNs, ((batchFirst - sequence) & 0xFFFF_FFFFL) * frameNs);
        if (!reception.wantsCopy(sequence) || length > EncodedFrame.MAX_COPY_BYTES) {
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
        frame.flags = ((batchFlags & AudioBatch.FLAG_FEC) != 0 ? EncodedFrame.FLAG_FEC : 0)
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

    private void onReport(long nowNs) {
        counters.increment(Stat.REPORTS_RECEIVED);
        peerTimestampUs = ReceiverReport.timestampUs(receiveBuffer, 0);
        peerTimestampArrivalNs = nowNs;
        long echoUs = ReceiverReport.echoTimestampUs(receiveBuffer, 0);
        if (echoUs != 0) {
            long rttUs = (timestampUs(nowNs) - echoUs - ReceiverReport.echoDelayUs(receiveBuffer, 0)) & 0xFFFF_FFFFL;
            if (rttUs < MAX_RTT_US) {
                smoothedRttUs = smoothedRttUs < 0 ? rttUs : smoothedRttUs + (rttUs - smoothedRttUs) / 4;
                counters.set(Stat.RTT_US, smoothedRttUs);
            }
        }
        long lossPpm = ReceiverReport.lossPpm(receiveBuffer, 0);
        if (lossPpm != ReceiverReport.LOSS_UNKNOWN) {
            counters.set(Stat.PEER_LOSS_PPM, lossPpm);
        } else if (!blackHoleWarned && counters.get(Stat.FRAMES_SENT) * frameNs >= BLACK_HOLE_NS) {
            // The peer's reports (small datagrams) arrive, yet it has had none of our audio for seconds.
            blackHoleWarned = true;
            engine.error("the peer receives none of this side's audio, though its small reports get here: the path"
                    + " probably drops datagrams as large as ours (" + transport.maxPayloadBytes() + " bytes of payload)"
                    + " without telling (a path MTU black hole, ICMP filtered). Lower the datagram size limit"
                    + " (viz --max-datagram) or the frames per datagram (viz --batch)", null);
        }
        counters.set(Stat.PEER_JITTER_US, ReceiverReport.jitterUs(receiveBuffer, 0));
        adaptation.onPeerLoss(lossPpm, nowNs);
        publishControl();
    }

    /** Tells the capture thread what the adaptation decided. */
    private void publishControl() {
        control.expectLossPercent = adaptation.expectLossPercent();
        control.bitrateBps = adaptation.bitrateBps();
        control.copies = adaptation.copies() > 0;
        counters.set(Stat.REDUNDANT_COPIES, adaptation.copies());
    }

    /** Microseconds on this side's clock, as reports carry them: 32 bits, never 0 (0 means none). */
    private static long timestampUs(long nowNs) {
        long us = (nowNs / 1_000L) & 0xFFFF_FFFFL;
        return us == 0 ? 1 : us;
    }

    // ---- sending --------------------------------------------------------------------------------

    private int send(long nowNs) {
        int work = 0;
        EncodedFrame frame;
        while ((frame = fromCapture.poll()) != null) {
            work++;
            if ((frame.flags & EncodedFrame.FLAG_END_OF_STREAM) != 0) {
                captureFree.offer(frame);
                flush(nowNs);
                if (adaptation.copies() > 0 && lastAppendedSequence > 0) {
                    // The last batch has no later datagram to carry its copies: send one more, with one
                    // empty (silent) frame, that does.
                    lastAppendedSequence++;
                    batcher.append(lastAppendedSequence, controlBuffer, 0, 0);
                    flush(nowNs);
                }
                engine.onInputEnded();
                continue;
            }
            keepCopy(frame);
            if (batcher.append(frame.sequence, frame.data, 0, frame.length) == Batcher.FLUSH_FIRST) {
                flush(nowNs);
                batcher.append(frame.sequence, frame.data, 0, frame.length);
            }
            lastAppendedSequence = frame.sequence;
            boolean empty = frame.length == 0;
            // Silence begins: say so at once when silence is gathered beyond a batch, so that the
            // receiver plays comfort noise for the frames that follow instead of concealing them.
            boolean onset = empty && !lastWasEmpty && dtxBatchFrames > framesPerBatch;
            lastWasEmpty = empty;
            if (!empty) {
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

    /** Remembers the frame's redundant copy (or that it has none) for the batches after it. */
    private void keepCopy(EncodedFrame frame) {
        int slot = (int) (frame.sequence % COPY_HISTORY);
        if (frame.copyLength < 0) {
            copySequence[slot] = -1;
            return;
        }
        copySequence[slot] = frame.sequence & 0xFFFF_FFFFL;
        copyLength[slot] = frame.copyLength;
        System.arraycopy(frame.copy, 0, copyData[slot], 0, frame.copyLength);
    }

    private void flush(long nowNs) {
        int frames = batcher.pendingFrames();
        if (frames == 0) {
            return;
        }
        addCopies();
        int at = ReceiverReport.LENGTH;
        int length = batcher.flush(sendBuffer, at);
        boolean fec = pendingFec;
        nonEmptyPending = 0;
        pendingFec = false;
        if (length <= 0) {
            counters.add(Stat.FRAMES_NOT_SENT, frames);
            return;
        }
        if (fec) {
            AudioBatch.addFlag(sendBuffer, at, AudioBatch.FLAG_FEC);
        }
        long first = AudioBatch.firstSequence(sendBuffer, at);
        boolean withReport = reportDueSinceNs >= 0 && length + ReceiverReport.LENGTH <= transport.maxPayloadBytes();
        boolean sent;
        if (withReport) {
            writeReport(sendBuffer, 0, true, nowNs);
            sent = sendPayload(sendBuffer, 0, ReceiverReport.LENGTH + length, nowNs);
            if (sent) {
                reportSent();
            }
        } else {
            sent = sendPayload(sendBuffer, at, length, nowNs);
        }
        if (sent) {
            counters.add(Stat.FRAMES_SENT, frames);
            lastSequenceSent = (first + frames - 1) & 0xFFFF_FFFFL;
        } else {
            counters.add(Stat.FRAMES_NOT_SENT, frames);
        }
    }

    /** Adds copies of the frames before the pending batch, newest first, as many as wanted and fit. */
    private void addCopies() {
        int wanted = adaptation.copies();
        if (wanted == 0) {
            return;
        }
        long first = -1;
        for (int k = 1; k <= wanted; k++) {
            if (first < 0) {
                first = firstPendingSequence();
            }
            long sequence = (first - k) & 0xFFFF_FFFFL;
            int slot = (int) (((first - k) % COPY_HISTORY + COPY_HISTORY) % COPY_HISTORY);
            if (first - k < 0 || copySequence[slot] != sequence) {
                return;
            }
            if (batcher.appendRedundant(sequence, copyData[slot], 0, copyLength[slot]) != Batcher.APPENDED) {
                return;
            }
        }
    }

    /** The sequence number of the pending batch's first frame (its frames are consecutive). */
    private long firstPendingSequence() {
        return lastAppendedSequence - batcher.pendingFrames() + 1;
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
        int work = 0;
        if (nowNs >= nextReportNs) {
            nextReportNs += REPORT_INTERVAL_NS;
            if (nextReportNs <= nowNs) {
                nextReportNs = nowNs + REPORT_INTERVAL_NS;
            }
            reportInterval(nowNs);
            work++;
        }
        if (reportDueSinceNs >= 0 && (nowNs - reportDueSinceNs >= REPORT_MAX_WAIT_NS || reportRoom == 0)) {
            writeReport(controlBuffer, 0, false, nowNs);
            if (sendPayload(controlBuffer, 0, ReceiverReport.LENGTH, nowNs)) {
                reportSent();
            }
            work++;
        }
        if (nowNs - lastSendNs >= keepaliveIntervalNs) {
            sendControl(PayloadHeader.KIND_KEEPALIVE, nowNs);
            work++;
        }
        return work;
    }

    /** Once a second: closes a loss interval, measures the bitrates, and makes a report due. */
    private void reportInterval(long nowNs) {
        long lossPpm = reception.closeInterval();
        counters.set(Stat.LOSS_PPM, lossPpm == ReceiverReport.LOSS_UNKNOWN ? 0 : lossPpm);
        counters.set(Stat.JITTER_US, reception.jitterNs() / 1_000L);
        counters.set(Stat.FRAMES_LOST, reception.lostFrames());
        long sent = transport.wireBytesSent();
        long received = transport.wireBytesReceived();
        long elapsedNs = nowNs - lastRateNs;
        if (elapsedNs > 0) {
            counters.set(Stat.SEND_BITRATE_BPS, (sent - lastWireSent) * 8 * 1_000_000_000L / elapsedNs);
            counters.set(Stat.RECEIVE_BITRATE_BPS, (received - lastWireReceived) * 8 * 1_000_000_000L / elapsedNs);
        }
        lastWireSent = sent;
        lastWireReceived = received;
        lastRateNs = nowNs;
        if (reportDueSinceNs < 0) {
            reportDueSinceNs = nowNs;
        }
        engine.publishStats();
    }

    private void writeReport(byte[] dst, int offset, boolean batchFollows, long nowNs) {
        long echoUs = peerTimestampUs;
        long echoDelayUs = echoUs == 0 ? 0 : (nowNs - peerTimestampArrivalNs) / 1_000L;
        ReceiverReport.write(dst, offset, batchFollows, timestampUs(nowNs), echoUs, echoDelayUs, reception.lossPpm(),
                reception.lostFrames(), reception.highestSequence32(), reception.jitterNs() / 1_000L);
    }

    private void reportSent() {
        reportDueSinceNs = -1;
        counters.increment(Stat.REPORTS_SENT);
    }

    private void sendControl(int kind, long nowNs) {
        controlBuffer[0] = PayloadHeader.encode(kind);
        int length = PayloadHeader.LENGTH;
        if (kind == PayloadHeader.KIND_BYE) {
            PayloadHeader.putInt(controlBuffer, PayloadHeader.LENGTH, (int) lastSequenceSent);
            length = PayloadHeader.BYE_LENGTH;
        }
        sendPayload(controlBuffer, 0, length, nowNs);
    }

    private boolean sendPayload(byte[] buffer, int offset, int length, long nowNs) {
        int status = transport.send(buffer, offset, length);
        if (status != length) {
            return false;
        }
        lastSendNs = nowNs;
        counters.increment(Stat.DATAGRAMS_SENT);
        counters.add(Stat.PAYLOAD_BYTES_SENT, length);
        return true;
    }

    /** Tells the peer the call is over, unless it told us first. */
    void sendBye(long nowNs) {
        if (byeSent || engine.peerSaidBye() || !transport.isReady()) {
            return;
        }
        byeSent = true;
        flush(nowNs);
        for (int i = 0; i < BYE_COPIES; i++) {
            sendControl(PayloadHeader.KIND_BYE, nowNs);
        }
        counters.set(Stat.WIRE_BYTES_SENT, transport.wireBytesSent());
    }
}
