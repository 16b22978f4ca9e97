package dev.viz.core.internal;

import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.wire.ReceiverReport;

/**
 * Receiver reports both ways, and what they decide. Out: about once a second it closes a loss
 * interval ({@link ReceptionStats}), measures the bitrates, hands the listener a snapshot and makes
 * a report due ({@link #poll} says so; the {@link Sender} lets the report ride in front of its next batch, or
 * sends it alone). In: a peer's report gives the round-trip time and
 * the peer's loss, which {@link LossAdaptation} turns into the encoder's expected loss, its bitrate
 * and the copies per batch, published through {@link SessionSignals#encoderControl} to the capture
 * thread and the sender. It sends nothing itself and nothing on a frame's way calls it: the
 * {@link Sender} asks it to {@link #write} a report once a second. Network thread only.
 */
final class Reports {
    /** How often a receiver report goes to the peer (and the bitrates are measured). */
    static final long REPORT_INTERVAL_NS = 1_000_000_000L;
    /**
     * The least time between a report and an early one: a report is made due at once when frames go
     * missing after a report that said nothing was lost ({@link #poll}).
     */
    static final long EARLY_REPORT_GAP_NS = REPORT_INTERVAL_NS / 4;
    /** A round trip longer than this is not believed. */
    private static final long MAX_RTT_US = 60_000_000L;
    /** Audio sent for this long while the peer's reports say it received none: warn of a path MTU black hole. */
    static final long BLACK_HOLE_NS = 3_000_000_000L;

    private final Transport transport;
    private final ReceptionStats reception;
    private final LossAdaptation adaptation;
    private final SessionSignals signals;
    private final Counters counters;
    private final Lifecycle lifecycle;
    private final long frameNs;

    private long nextReportNs;
    private long lastReportNs;
    private long lostAtLastReport;
    private boolean lastReportClean = true;
    private long peerTimestampUs;
    private long peerTimestampArrivalNs;
    private long lastWireSent;
    private long lastWireReceived;
    private long lastRateNs;
    private long smoothedRttUs = -1;
    private int copies;
    private boolean blackHoleWarned;

    /**
     * @param frameNs the duration of one frame, to tell how much audio has been sent
     */
    Reports(Transport transport, ReceptionStats reception, LossAdaptation adaptation, SessionSignals signals, Counters counters,
            Lifecycle lifecycle, long frameNs) {
        this.transport = transport;
        this.reception = reception;
        this.adaptation = adaptation;
        this.signals = signals;
        this.counters = counters;
        this.lifecycle = lifecycle;
        this.frameNs = frameNs;
        publishControl();
    }

    /** The peer answered: the report clock starts. */
    void start(long nowNs) {
        nextReportNs = nowNs + REPORT_INTERVAL_NS;
        publishControl(); // the carrier is known now
        lastRateNs = nowNs;
    }

    /**
     * Whether the last batch's copies are worth one more datagram when the input ends: copies are on
     * and the peer reports loss. On a clean path (or before any report) the call just ends.
     */
    boolean copiesWantedAtEnd() {
        return copies > 0 && adaptation.peerReportsLoss();
    }

    /** Writes the due report in front of a batch ({@code batchFollows}) or alone. */
    void write(byte[] dst, int offset, boolean batchFollows, long nowNs) {
        long echoUs = peerTimestampUs;
        long echoDelayUs = echoUs == 0 ? 0 : (nowNs - peerTimestampArrivalNs) / 1_000L;
        ReceiverReport.write(dst, offset, batchFollows, timestampUs(nowNs), echoUs, echoDelayUs, reception.lossPpm(),
                reception.lostFrames(), reception.highestSequence32(), reception.jitterNs() / 1_000L);
    }

    /**
     * Once connected, every duty cycle: returns whether a report interval closed, which makes a report
     * due. Once a second; and early (at most every {@link #EARLY_REPORT_GAP_NS}) when frames go missing
     * after a report that said none were: the sender then hears of the loss within a round trip instead
     * of up to a second later, and its copies, with the delay they cost the playout, come that much
     * sooner. In the low-latency profile that is what moves the playout's one step up from about 2 s
     * into a lossy call to its first second, so less of the call is heard at another alignment
     * (docs/realtime.md). It costs at most one more small report when a clean path starts losing.
     */
    boolean poll(long nowNs) {
        if (nowNs < nextReportNs) {
            if (!lastReportClean || nowNs - lastReportNs < EARLY_REPORT_GAP_NS
                    || reception.lostFrames() <= lostAtLastReport) {
                return false;
            }
            nextReportNs = nowNs + REPORT_INTERVAL_NS;
            counters.increment(Stat.REPORTS_EARLY);
        } else {
            nextReportNs += REPORT_INTERVAL_NS;
            if (nextReportNs <= nowNs) {
                nextReportNs = nowNs + REPORT_INTERVAL_NS;
            }
        }
        interval(nowNs);
        return true;
    }

    /** Once a second: closes a loss interval and measures the bitrates. */
    private void interval(long nowNs) {
        long lossPpm = reception.closeInterval();
        lastReportNs = nowNs;
        lostAtLastReport = reception.lostFrames();
        lastReportClean = lossPpm == 0 || lossPpm == ReceiverReport.LOSS_UNKNOWN;
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
        lifecycle.publishStats();
    }

    /** A report arrived (already validated) at {@code src[offset]}. */
    void onReport(byte[] src, int offset, long nowNs) {
        counters.increment(Stat.REPORTS_RECEIVED);
        peerTimestampUs = ReceiverReport.timestampUs(src, offset);
        peerTimestampArrivalNs = nowNs;
        long echoUs = ReceiverReport.echoTimestampUs(src, offset);
        if (echoUs != 0) {
            long rttUs = (timestampUs(nowNs) - echoUs - ReceiverReport.echoDelayUs(src, offset)) & 0xFFFF_FFFFL;
            if (rttUs < MAX_RTT_US) {
                smoothedRttUs = smoothedRttUs < 0 ? rttUs : smoothedRttUs + (rttUs - smoothedRttUs) / 4;
                counters.set(Stat.RTT_US, smoothedRttUs);
            }
        }
        long lossPpm = ReceiverReport.lossPpm(src, offset);
        if (lossPpm != ReceiverReport.LOSS_UNKNOWN) {
            counters.set(Stat.PEER_LOSS_PPM, lossPpm);
        } else if (!blackHoleWarned && counters.get(Stat.FRAMES_SENT) * frameNs >= BLACK_HOLE_NS) {
            // The peer's reports (small datagrams) arrive, yet it has had none of our audio for seconds.
            blackHoleWarned = true;
            lifecycle.error("the peer receives none of this side's audio, though its small reports get here: the path"
                    + " probably drops datagrams as large as ours (" + transport.maxPayloadBytes() + " bytes of"
                    + " payload) without telling (a path MTU black hole, ICMP filtered). Lower the datagram size limit"
                    + " (viz --max-datagram) or the frames per datagram (viz --batch)", null);
        }
        counters.set(Stat.PEER_JITTER_US, ReceiverReport.jitterUs(src, offset));
        adaptation.onPeerLoss(lossPpm, nowNs);
        publishControl();
    }

    /** Tells the capture thread what the adaptation decided. */
    private void publishControl() {
        adaptation.overReliableStream(transport.isReliableStream());
        copies = adaptation.copies();
        signals.encoderControl(adaptation.expectLossPercent(), adaptation.bitrateBps(), copies);
        counters.set(Stat.REDUNDANT_COPIES, copies);
    }

    /** Microseconds on this side's clock, as reports carry them: 32 bits, never 0 (0 means none). */
    private static long timestampUs(long nowNs) {
        long us = (nowNs / 1_000L) & 0xFFFF_FFFFL;
        return us == 0 ? 1 : us;
    }
}
