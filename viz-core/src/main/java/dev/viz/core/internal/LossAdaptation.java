package dev.viz.core.internal;

import dev.viz.core.Batcher;
import dev.viz.core.Redundancy;
import dev.viz.core.wire.ReceiverReport;

/**
 * The sender's answer to the loss its peer reports: how much loss to tell the encoder to expect
 * (which turns Opus's in-band FEC on and sizes it), how many redundant copies of earlier frames to
 * carry in each batch, and what bitrate leaves room for the frames and their copies in a datagram.
 * Quick to turn up, slow to turn down. Network thread only; no clock of its own.
 *
 * <p><b>Starts protected.</b> With {@link Redundancy#AUTO} a call starts at level 1 (copies of the
 * previous batch), before any report: the first reports come a second into the call and speak for
 * several seconds of it, and a loss in those seconds would otherwise be concealed, or rebuilt only
 * by moving the playout delay mid-call. The first batch carries empty copies of the (silent) frames
 * before the stream, so the receiver's playout starts at the delay the copies need. A path whose
 * reports stay below 1 % for 30 s drops to level 0, and the receiver's playout sheds the delay the
 * copies needed, once.
 *
 * <table>
 *   <caption>Levels (loss over the peer's last 10 s)</caption>
 *   <tr><th>level</th><th>copies</th><th>on at</th><th>back down below (held 10 s)</th></tr>
 *   <tr><td>0</td><td>none</td><td></td><td></td></tr>
 *   <tr><td>1</td><td>the previous batch</td><td>2.5 % (and at the start; not used when a batch holds one
 *       frame)</td><td>1 % (held 30 s)</td></tr>
 *   <tr><td>2</td><td>the previous two batches</td><td>25 % when a batch holds several frames; 2.5 %, with
 *       level 1, when it holds one</td><td>15 % (1 %)</td></tr>
 * </table>
 *
 * <p>With one frame per batch (low-latency) a copy costs one frame of delay (20 ms), so the copies
 * come two at once: the receiver's playout then moves once, by 40 ms, a second or two into a lossy
 * call, instead of by 20 ms then, and by 20 ms more seconds later when the reported loss climbs past
 * a second threshold. Measured with two real processes at 10 % loss (docs/realtime.md): the second
 * move came 3 to 5 s into the call, and the speech before it was heard at another alignment than
 * the rest (0.926 at one lag where the runs whose loss was reported at once scored 0.941-0.945).
 * The second copy also rebuilds two datagrams lost in a row, which random loss at a few percent
 * brings every few seconds at 50 datagrams a second. For the same reason, in the first
 * {@link #EARLY_CALL_NS} after the first report any loss at all turns them on: early in a call a
 * report counts few frames (one lost of 60 reads 1.7 %), and waiting for 2.5 % put the move seconds
 * into the call. The receiver helps by reporting new loss at once ({@code Reports.poll}).
 *
 * Level 2 doubles the delay the copies cost; with several frames per batch that is another whole
 * batch (320 ms in the tunnel profile), which arrives mid-call in one move a listener hears, for
 * what only runs of two lost datagrams need, so it waits for very heavy loss there: a tunnel stream
 * sends 31 datagrams in a 10 s report, and at 10 % random loss one report in five shows 15 % or
 * more (seen in the simulated matrix: level 2 at 10 % loss, 0.61 at one alignment), while 25 % is
 * rare below 20 % of loss. In-band FEC: the encoder expects the reported loss (rounded up, at most
 * 30 %) from 0.5 % on.
 */
final class LossAdaptation {
    static final long LEVEL_1_ON_PPM = 25_000;
    static final long LEVEL_1_OFF_PPM = 10_000;
    /** Level 2 with several frames per batch, where it costs a whole batch more delay. */
    static final long BATCHED_LEVEL_2_ON_PPM = 250_000;
    static final long BATCHED_LEVEL_2_OFF_PPM = 150_000;
    static final long FEC_ON_PPM = 5_000;
    static final int MAX_EXPECTED_LOSS_PERCENT = 30;
    /** How long the loss must stay below level 2's off threshold before it goes down to level 1. */
    static final long HOLD_NS = 10_000_000_000L;
    /**
     * How long the loss must stay below 1 % before the copies stop. Longer than {@link #HOLD_NS}: at
     * 3 % random loss a 10 s report often shows none (a tunnel stream sends 31 datagrams in 10 s), and
     * copies that stop and start again would move the receiver's delay by a batch each time; 30 s
     * more without a lost datagram is unlikely at 3 % (0.97^124, about 2 %).
     */
    static final long COPIES_OFF_HOLD_NS = 30_000_000_000L;
    /** With one frame per batch, how long after the first report any reported loss turns the copies on. */
    static final long EARLY_CALL_NS = 5_000_000_000L;
    /** Room kept in a batch for the variable bitrate of the frames, in percent of the frames' bytes. */
    private static final int VBR_HEADROOM_PERCENT = 15;

    private final Redundancy mode;
    private final int framesPerBatch;
    private final int frameMs;
    private final int configuredBitrateBps;
    private final int maxBatchBytes;
    private final int copyBytesPerFrame;
    private final Batcher format;
    private final int minLevel;
    private final int maxLevel;
    private final long level2OnPpm;
    private final long level2OffPpm;

    private int level;
    private boolean reliableStream;
    private int expectLossPercent;
    private long belowSinceNs = -1;
    private long lastReportedPpm;
    private long firstReportNs = -1;

    /**
     * @param copiesAvailable whether the session has an encoder for redundant copies
     * @param maxBatchBytes the batcher's payload limit
     * @param copyBitrateBps the redundant encoder's bitrate
     * @param format the batcher, which sizes its batches ({@link Batcher#overheadBytes}, {@link Batcher#maxCopies})
     */
    LossAdaptation(Redundancy mode, boolean copiesAvailable, int framesPerBatch, int frameMs, int configuredBitrateBps,
            int maxBatchBytes, int compressorOverheadBytes, int copyBitrateBps, Batcher format) {
        this.format = format;
        this.mode = mode;
        this.framesPerBatch = framesPerBatch;
        this.frameMs = frameMs;
        this.configuredBitrateBps = configuredBitrateBps;
        this.maxBatchBytes = maxBatchBytes - compressorOverheadBytes;
        this.copyBytesPerFrame = copyBitrateBps * frameMs / 8000;
        this.minLevel = copiesAvailable && mode == Redundancy.ON ? 1 : 0;
        this.maxLevel = copiesAvailable && mode != Redundancy.OFF ? 2 : 0;
        // AUTO starts batched streams with copies (the sender marks even the first batch with them, so
        // the receiver's playout starts at the delay they need instead of moving to it mid-call by a
        // whole batch). A stream of one frame per batch starts without: there a copy costs one frame
        // (20 ms) of delay, which an interactive call should not pay on every clean path, and adding
        // it when loss is reported moves the delay by no more than that.
        this.level = framesPerBatch > 1 ? Math.min(maxLevel, 1) : minLevel;
        this.level2OnPpm = framesPerBatch > 1 ? BATCHED_LEVEL_2_ON_PPM : LEVEL_1_ON_PPM;
        this.level2OffPpm = framesPerBatch > 1 ? BATCHED_LEVEL_2_OFF_PPM : LEVEL_1_OFF_PPM;
    }

    /** The peer reported {@code lossPpm} (or {@link ReceiverReport#LOSS_UNKNOWN}) at {@code nowNs}. */
    void onPeerLoss(long reportedPpm, long nowNs) {
        if (reportedPpm == ReceiverReport.LOSS_UNKNOWN) {
            return;
        }
        lastReportedPpm = reportedPpm;
        expectLossPercent = reportedPpm < FEC_ON_PPM ? 0
                : (int) Math.min(MAX_EXPECTED_LOSS_PERCENT, (reportedPpm + 9_999) / 10_000);
        if (firstReportNs < 0) {
            firstReportNs = nowNs;
        }
        int wanted = reportedPpm >= level2OnPpm ? 2 : reportedPpm >= LEVEL_1_ON_PPM ? 1 : 0;
        if (framesPerBatch == 1 && reportedPpm > 0 && nowNs - firstReportNs < EARLY_CALL_NS) {
            wanted = 2;
        }
        wanted = Math.max(minLevel, Math.min(maxLevel, wanted));
        if (wanted > level) {
            level = wanted;
            belowSinceNs = -1;
            return;
        }
        long offPpm = level == 2 ? level2OffPpm : LEVEL_1_OFF_PPM;
        if (level > minLevel && reportedPpm < offPpm) {
            if (belowSinceNs < 0) {
                belowSinceNs = nowNs;
            } else if (nowNs - belowSinceNs >= (level == 1 ? COPIES_OFF_HOLD_NS : HOLD_NS)) {
                level--;
                belowSinceNs = -1;
            }
        } else {
            belowSinceNs = -1;
        }
    }

    /**
     * Whether the call goes over a reliable stream ({@link dev.viz.core.Transport#isReliableStream()}):
     * nothing is lost there, so no copies are carried, whatever the level, and their room goes back
     * to the frames' bitrate.
     */
    void overReliableStream(boolean reliable) {
        this.reliableStream = reliable;
    }

    /** Whether the peer's last report said frames are being lost (0 before any report). */
    boolean peerReportsLoss() {
        return lastReportedPpm > 0;
    }

    /** 0, 1 or 2: batches of earlier frames each batch carries copies of. */
    int level() {
        return level;
    }

    /** Redundant copies per batch. */
    int copies() {
        if (reliableStream) {
            return 0;
        }
        return Math.min(format.maxCopies(), level * framesPerBatch);
    }

    /** The loss the encoder should expect, percent. */
    int expectLossPercent() {
        return expectLossPercent;
    }

    /**
     * The encoder bitrate that leaves room in a batch for its frames and their copies: the configured
     * one or less. Without copies too: a batch of frames at the configured bitrate may not fit a small
     * datagram limit (eight 40 ms frames at 32 kbit/s are 1280 bytes), and a batch that does not fit
     * goes out as two datagrams.
     */
    int bitrateBps() {
        int copies = copies();
        int fixed = format.overheadBytes(framesPerBatch, copies) + copies * copyBytesPerFrame;
        // Headroom for variable frames only where copies share the batch (the batcher drops copies that do not
        // fit); without copies the session caps each frame to the batch's room anyway.
        int headroom = copies == 0 ? 0 : VBR_HEADROOM_PERCENT;
        long frameBytes = (long) (maxBatchBytes - fixed) * 100 / (100 + headroom) / framesPerBatch;
        long bps = frameBytes * 8000 / frameMs;
        bps = bps / 1000 * 1000;
        return (int) Math.max(6_000, Math.min(configuredBitrateBps, bps));
    }
}
