package dev.viz.core.internal;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.Stat;
import java.util.function.BooleanSupplier;

/**
 * The adaptive playout: decides, each time the output device wants audio, what to play and when,
 * and keeps the playout delay where the measured arrivals say it should be. No threads and no
 * clock of its own: {@link #insert} is fed frames stamped with their arrival time, {@link #produce}
 * is asked for the next chunk of audio with the current time, so a simulated clock can drive it
 * exactly as the playback thread does. Playback thread only; allocates nothing.
 *
 * <h2>Delay</h2>
 * Frame {@code s} is due at {@code s * frameNs + P}, where {@code P} (the playout offset) is the
 * one number the playout controls. Each arrival gives an offset {@code o = arrival - s * frameNs};
 * a frame is in time when {@code o <= P}. Over a sliding window (the last 10 s of arrivals, however
 * long ago they were, so a silence forgets nothing) the playout keeps the offsets of the frames whose
 * arrival measures the path ({@link EncodedFrame#FLAG_TIMED}) and aims {@code P} at a high quantile of
 * them plus a margin, plus the
 * span after which recovery data (redundant copies, FEC) arrives when the stream carries any. Batches
 * arrive whole, so the frames of one batch have offsets a batch apart: the target covers the batch
 * duration by itself, and the jitter on top of it. The reported playout delay is {@code P} above the
 * smallest offset in the window: how long the quickest frame waits.
 *
 * <h2>Moving the delay</h2>
 * {@code P} grows and shrinks by playing a frame shorter or longer than it is: a quiet or silent
 * frame is dropped or doubled whole; a frame of speech loses or gains one pitch period
 * ({@link TimeScaler}), which keeps its pitch. The same mechanism follows clock drift between the
 * two sound cards, which shows up as offsets that creep. When the frame whose turn it is has not
 * arrived and nothing later has either while the delay is below target, the playout waits:
 * it plays concealment without moving on.
 *
 * <h2>A new stream</h2>
 * A frame flagged {@link EncodedFrame#FLAG_NEW_STREAM} (the network thread saw the peer's numbering
 * start again: it restarted) resets the playout as a stream that stopped does: its buffer, its
 * window of offsets and its delay. Playout starts on the new stream as at the start of a call,
 * instead of taking the new, lower numbers for frames long late.
 *
 * <h2>Missing frames</h2>
 * A frame that is missing at its turn is rebuilt from a redundant copy (when one arrived), from the
 * next frame's in-band FEC (when the next frame is there and was encoded with FEC), or concealed.
 * A frame of length 0 is discontinuous transmission: the decoder renders comfort noise, and it is
 * counted as DTX, never as lost or concealed; a gap after such a frame is taken as more of the same.
 *
 * <h2>Over a stream</h2>
 * When the transport carries the call over a reliable stream ({@link dev.viz.core.Transport#isReliableStream()},
 * asked at each chunk, since a listener learns its peer's carrier only when the call starts), nothing
 * is lost, but a lost packet holds everything behind it until TCP retransmits it (about 200 ms or more)
 * and the backlog then arrives at once. Four things change:
 * <ul>
 *   <li>When more frames than a datagram carries arrive at once (within a quarter of a frame), all
 *   but the newest datagram's worth waited in the stream behind a stall: their offsets measure the
 *   stall, not the path, and leave the window. When frames come more than two frames later than the
 *   ones that arrive next (a retransmission timeout shorter than the time between datagrams, as in
 *   tunnel: the stalled datagram arrives late and alone), they were held up too and leave the
 *   window. So a stall never raises the target.</li>
 *   <li>A frame missing at its turn with nothing later held is on its way: the playout waits for it
 *   (plays concealment without moving on) until the delay reaches the stall limit (half the bound:
 *   250 ms in low-latency, 750 ms in tunnel), then gives up on it as on a lost frame.</li>
 *   <li>When the backlog arrives the delay is above target, and the playout catches up as it always
 *   shrinks its delay: quiet frames dropped whole, speech shortened by a pitch period a frame. Frames
 *   that came after their turn were already concealed and are dropped as late.</li>
 *   <li>The target leaves out the recovery span: nothing is lost, so no copy is worth waiting for
 *   (the sender carries none over a stream either).</li>
 * </ul>
 */
final class Playout {
    /** Quantile of the offsets the playout offset aims at: the late frames it accepts are the rest. */
    private static final double QUANTILE = 0.995;
    /** How far back the offsets count. */
    private static final long WINDOW_NS = 10_000_000_000L;
    /** Offsets held at most (10 s of 10 ms frames). */
    private static final int WINDOW_CAPACITY = 1024;
    /** Nothing at all for this long: the stream stopped; wait for it to start anew. */
    private static final long STALL_NS = 5_000_000_000L;
    /** A decoded frame below this RMS is quiet, and may be dropped or doubled whole (about -44 dBFS). */
    private static final long QUIET_MEAN_SQUARE = 200L * 200L;
    /** How long after playout starts the offset measured now also decides whether to wait for a missing frame. */
    private static final long START_NS = 200_000_000L;
    /** Weight of a new measurement of the playout offset (the rest is the prediction). */
    private static final int SMOOTHING = 8;

    /** Samples per second, all channels: turns a sample count into time. */
    private final long samplesPerSecond;
    private final Codec codec;
    private final Counters counters;
    private final JitterBuffer.Recycler recycler;
    private final JitterBuffer buffer;
    private final TimeScaler scaler;
    private final long frameNs;
    private final int frameSamples;
    private final int frameMs;
    private final long marginNs;
    private final long maxDelayNs;
    private final long scaleThresholdNs;
    private final long stallLimitNs;
    private final int framesPerBatch;
    private final BooleanSupplier reliableStream;
    private final short[] pcm;

    private final long[] windowArrivalNs = new long[WINDOW_CAPACITY];
    private final long[] windowOffsetNs = new long[WINDOW_CAPACITY];
    private final long[] windowSpanNs = new long[WINDOW_CAPACITY];
    private final long[] scratch = new long[WINDOW_CAPACITY];
    private int windowStart;
    private int windowSize;

    private boolean started;
    private boolean inDtx;
    private long offsetNs;
    /** The time of the chunk being produced: the offset measured now, unsmoothed, is this less the head's due time. */
    private long chunkNowNs;
    /** {@link #slots} when playout last started. */
    private long startSlot;
    private long lastChunkNs;
    private int lastAdvance;
    private long targetNs;
    private long minOffsetNs;
    private long lastArrivalNs;
    private int beyondBoundDatagrams;
    private long lastBeyondBoundArrivalNs;
    private long maxDelayMsSeen;
    private long stretchedSamples;
    private long shrunkSamples;
    private long slots;
    /** Whether the transport is a stream, as read at the start of the current chunk. */
    private boolean stream;
    /** The offsets recorded last that arrived together (within a quarter frame): when, and how many are in the window. */
    private long groupArrivalNs;
    private int groupSamples;
    private long groupNewestOffsetNs;
    /** The group before it: its offsets in the window (just before the group's) and its newest offset. */
    private int previousGroupSamples;
    private long previousGroupNewestOffsetNs;

    /**
     * @param marginNs safety on top of the offset quantile
     * @param maxDelayNs the most the playout delay may reach, whatever the arrivals say
     * @param recycler takes back frames the playout is done with
     */
    Playout(AudioFormat format, Codec codec, Counters counters, long marginNs, long maxDelayNs,
            JitterBuffer.Recycler recycler) {
        this(format, codec, counters, marginNs, maxDelayNs, recycler, 1, () -> false);
    }

    /**
     * @param framesPerBatch the frames a datagram carries (the profile's; the peer's is taken to be the same)
     * @param reliableStream whether the transport carries the call over a reliable stream now; read
     *     once per chunk on the playback thread (so it must be cheap and thread-safe)
     */
    Playout(AudioFormat format, Codec codec, Counters counters, long marginNs, long maxDelayNs,
            JitterBuffer.Recycler recycler, int framesPerBatch, BooleanSupplier reliableStream) {
        this.samplesPerSecond = (long) format.sampleRateHz() * format.channels();
        this.codec = codec;
        this.counters = counters;
        this.recycler = recycler;
        this.buffer = new JitterBuffer(0, recycler);
        this.frameNs = format.frameNs();
        this.frameSamples = format.frameSamples();
        this.frameMs = format.frameMs();
        this.marginNs = marginNs;
        this.maxDelayNs = maxDelayNs;
        this.stallLimitNs = maxDelayNs / 2;
        this.framesPerBatch = Math.max(1, framesPerBatch);
        this.reliableStream = reliableStream;
        this.scaleThresholdNs = Math.max(5_000_000L, frameNs / 4);
        this.scaler = new TimeScaler(format.sampleRateHz(), frameSamples);
        this.pcm = new short[frameSamples];
    }

    /** The largest chunk {@link #produce} writes: two frames (a quiet frame played twice). */
    int maxChunkSamples() {
        return 2 * frameSamples;
    }

    /**
     * Takes a received frame or redundant copy, stamped with {@link EncodedFrame#arrivalNs}. The
     * playout owns it from here on and recycles it when done, whatever the outcome.
     *
     * @return a {@link JitterBuffer} status, counted in the stats
     */
    int insert(EncodedFrame frame) {
        if ((frame.flags & EncodedFrame.FLAG_NEW_STREAM) != 0) {
            // The peer restarted: its old stream's frames, timing and delay say nothing about this one.
            restart();
            counters.increment(Stat.STREAM_RESTARTS);
        }
        long arrivalNs = frame.arrivalNs;
        boolean copy = frame.isRedundant();
        int length = frame.length;
        long spanNs = frame.recoverySpanNs;
        long sequence = buffer.anyArrived() ? buffer.extend(frame.sequence) : frame.sequence & 0xFFFF_FFFFL;
        int result = buffer.insert(frame, arrivalNs);
        lastArrivalNs = arrivalNs;
        if (!copy && (frame.flags & EncodedFrame.FLAG_TIMED) != 0
                && (result == JitterBuffer.INSERTED || result == JitterBuffer.LATE)) {
            long offset = arrivalNs - sequence * frameNs;
            if (groupSamples == 0 || arrivalNs - groupArrivalNs >= frameNs / 4) {
                previousGroupSamples = groupSamples;
                previousGroupNewestOffsetNs = groupNewestOffsetNs;
                groupArrivalNs = arrivalNs;
                groupSamples = 0;
            }
            forgetOutgrownOffsets(arrivalNs, offset);
            if (stream) {
                // The window may have aged out the oldest of them (after 10 s with no timed frame): count from the newest.
                groupSamples = Math.min(groupSamples, windowSize);
                previousGroupSamples = Math.min(previousGroupSamples, windowSize - groupSamples);
                if (groupSamples >= framesPerBatch) {
                    forgetOldestOfGroup();
                }
                if (previousGroupSamples > 0 && previousGroupNewestOffsetNs - offset > 2 * frameNs) {
                    forgetPreviousGroup();
                }
            }
            record(arrivalNs, offset, spanNs);
            groupSamples++;
            groupNewestOffsetNs = offset;
        }
        if (result != JitterBuffer.INSERTED) {
            recycler.recycle(frame);
            if (result == JitterBuffer.LATE) {
                // A late empty frame (a DTX run sent after its time) is no loss: nothing to count.
                if (!copy && length > 0) {
                    counters.increment(Stat.FRAMES_LATE);
                }
            } else if (result == JitterBuffer.DUPLICATE) {
                if (!copy) {
                    counters.increment(Stat.FRAMES_DUPLICATE);
                }
            } else {
                counters.increment(Stat.FRAMES_OVERFLOW);
            }
        }
        return result;
    }

    /**
     * Over a stream, more than a datagram's worth of frames arrived at once: the older ones waited in
     * the stream behind a stall, and their offsets measure the stall, not the path. The oldest
     * offset of the group (the newest {@link #framesPerBatch} are the last in the window) leaves it.
     */
    private void forgetOldestOfGroup() {
        int first = windowSize - groupSamples;
        for (int i = first; i < windowSize - 1; i++) {
            int to = (windowStart + i) % WINDOW_CAPACITY;
            int from = (windowStart + i + 1) % WINDOW_CAPACITY;
            windowArrivalNs[to] = windowArrivalNs[from];
            windowOffsetNs[to] = windowOffsetNs[from];
            windowSpanNs[to] = windowSpanNs[from];
        }
        windowSize--;
        groupSamples--;
    }

    /**
     * Over a stream, the frames that arrived before these came later than these by more than two
     * frames: they were held up in the stream (a retransmission timeout, shorter than the time
     * between datagrams, so no burst followed), and their offsets leave the window.
     */
    private void forgetPreviousGroup() {
        int first = windowSize - groupSamples - previousGroupSamples;
        for (int i = first; i < windowSize - previousGroupSamples; i++) {
            int to = (windowStart + i) % WINDOW_CAPACITY;
            int from = (windowStart + i + previousGroupSamples) % WINDOW_CAPACITY;
            windowArrivalNs[to] = windowArrivalNs[from];
            windowOffsetNs[to] = windowOffsetNs[from];
            windowSpanNs[to] = windowSpanNs[from];
        }
        windowSize -= previousGroupSamples;
        previousGroupSamples = 0;
    }

    /**
     * A stream whose offsets step up by more than the bound (the sender's clock lost time: a stalled
     * process on a loaded machine, whose sound card clock then starts again from "now") can never play
     * under a target tied to the old, smaller offsets: every frame would be late until they leave the
     * 10 s window. When two datagrams in a row arrive beyond the bound, the offsets they outgrew are
     * forgotten, so the target follows the stream at once. One straggler does not count.
     */
    private void forgetOutgrownOffsets(long arrivalNs, long offset) {
        if (windowSize == 0 || offset - minOffsetNs <= maxDelayNs) {
            beyondBoundDatagrams = 0;
            return;
        }
        if (arrivalNs != lastBeyondBoundArrivalNs) {
            lastBeyondBoundArrivalNs = arrivalNs;
            beyondBoundDatagrams++;
        }
        if (beyondBoundDatagrams < 2) {
            return;
        }
        // Keep, in order, only the offsets within the bound of this one.
        long floor = offset - maxDelayNs;
        long min = offset;
        int kept = 0;
        for (int i = 0; i < windowSize; i++) {
            int from = (windowStart + i) % WINDOW_CAPACITY;
            if (windowOffsetNs[from] >= floor) {
                int to = (windowStart + kept) % WINDOW_CAPACITY;
                windowArrivalNs[to] = windowArrivalNs[from];
                windowOffsetNs[to] = windowOffsetNs[from];
                windowSpanNs[to] = windowSpanNs[from];
                min = Math.min(min, windowOffsetNs[from]);
                kept++;
            }
        }
        windowSize = kept;
        minOffsetNs = min;
        beyondBoundDatagrams = 0;
        groupSamples = 0;
        previousGroupSamples = 0;
    }

    private void record(long arrivalNs, long offset, long spanNs) {
        if (windowSize == WINDOW_CAPACITY) {
            windowStart = (windowStart + 1) % WINDOW_CAPACITY;
            windowSize--;
            groupSamples = Math.min(groupSamples, windowSize);
            previousGroupSamples = Math.min(previousGroupSamples, windowSize - groupSamples);
        }
        int at = (windowStart + windowSize) % WINDOW_CAPACITY;
        windowArrivalNs[at] = arrivalNs;
        windowOffsetNs[at] = offset;
        windowSpanNs[at] = spanNs;
        windowSize++;
    }

    /**
     * Produces the next chunk of audio into {@code out}, which has room for {@link #maxChunkSamples()}.
     *
     * @return samples written; 0 when playout has not started (nothing to play yet): call again soon
     */
    int produce(short[] out, long nowNs) {
        stream = reliableStream.getAsBoolean();
        chunkNowNs = nowNs;
        if (!started) {
            if (!tryStart(nowNs)) {
                return 0;
            }
        } else {
            if (buffer.buffered() == 0 && nowNs - lastArrivalNs > STALL_NS) {
                restart();
                return 0;
            }
            long predicted = offsetNs + lastChunkNs - lastAdvance * frameNs;
            long measured = nowNs - buffer.head() * frameNs;
            offsetNs = predicted + (measured - predicted) / SMOOTHING;
        }
        updateTarget(nowNs);
        int written = 0;
        for (int attempt = 0; attempt < 4 && written == 0; attempt++) {
            written = playSlot(out);
        }
        if (written == 0) {
            // Dropped frame after frame to cut the delay: play a little concealment rather than nothing.
            written = concealInto(out);
            lastAdvance = 0;
        }
        lastChunkNs = written * 1_000_000_000L / samplesPerSecond;
        publish();
        return written;
    }

    private boolean tryStart(long nowNs) {
        if (!buffer.anyArrived() || windowSize == 0 && buffer.buffered() == 0) {
            return false;
        }
        if (windowSize == 0) {
            // Only silence so far: start on it, at the margin.
            if (nowNs - buffer.head() * frameNs < minStartOffset(nowNs)) {
                return false;
            }
        } else {
            updateTarget(nowNs);
            if (nowNs - buffer.head() * frameNs < targetNs) {
                return false;
            }
        }
        // Frames that waited past their time (the playback side was not ready yet: a device still
        // opening, a codec warming up) are let go, so playout starts at its target, not seconds late.
        long startTargetNs = windowSize == 0 ? minStartOffset(nowNs) : targetNs;
        while (nowNs - buffer.head() * frameNs > startTargetNs + frameNs && buffer.buffered() > 0) {
            EncodedFrame stale = buffer.take();
            if (stale != null) {
                recycler.recycle(stale);
            }
            shrunk(frameSamples);
        }
        started = true;
        startSlot = slots;
        buffer.start();
        offsetNs = nowNs - buffer.head() * frameNs;
        if (windowSize == 0) {
            targetNs = offsetNs;
            minOffsetNs = offsetNs - marginNs;
        }
        lastChunkNs = 0;
        lastAdvance = 0;
        inDtx = false;
        return true;
    }

    private long minStartOffset(long nowNs) {
        return lastArrivalNs - buffer.head() * frameNs + marginNs;
    }

    private void restart() {
        buffer.reset();
        started = false;
        windowSize = 0;
        windowStart = 0;
        groupSamples = 0;
        previousGroupSamples = 0;
    }

    /** Aims the playout offset at the offsets in the window. */
    private void updateTarget(long nowNs) {
        // The window reaches back from the newest arrival, so a long silence forgets nothing.
        long newestNs = windowSize == 0 ? nowNs : windowArrivalNs[(windowStart + windowSize - 1) % WINDOW_CAPACITY];
        while (windowSize > 1 && newestNs - windowArrivalNs[windowStart] > WINDOW_NS) {
            windowStart = (windowStart + 1) % WINDOW_CAPACITY;
            windowSize--;
        }
        if (windowSize == 0) {
            // Only silence so far: nothing to aim at; hold the delay where playout started.
            targetNs = offsetNs;
            return;
        }
        long min = Long.MAX_VALUE;
        long span = 0;
        for (int i = 0; i < windowSize; i++) {
            int at = (windowStart + i) % WINDOW_CAPACITY;
            long offset = windowOffsetNs[at];
            scratch[i] = offset;
            if (offset < min) {
                min = offset;
            }
            if (windowSpanNs[at] > span) {
                span = windowSpanNs[at];
            }
        }
        int k = (int) Math.min(windowSize - 1, Math.ceil(QUANTILE * windowSize) - 1);
        long quantile = select(scratch, windowSize, Math.max(0, k));
        // Over a reliable stream nothing is lost, so nothing is worth waiting for recovery data for.
        long target = quantile + marginNs + (stream ? 0 : span);
        minOffsetNs = min;
        targetNs = Math.min(target, min + maxDelayNs);
    }

    /** The k-th smallest of a[0, n) (a is reordered). */
    private static long select(long[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            // Median of three as the pivot.
            if (a[mid] < a[lo]) {
                swap(a, mid, lo);
            }
            if (a[hi] < a[lo]) {
                swap(a, hi, lo);
            }
            if (a[hi] < a[mid]) {
                swap(a, hi, mid);
            }
            long pivot = a[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(a, i, j);
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                return a[k];
            }
        }
        return a[k];
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    /**
     * Plays the slot of the frame whose turn it is.
     *
     * @return samples written; 0 when the slot was dropped to cut the delay (the caller plays the next)
     */
    private int playSlot(short[] out) {
        long errorNs = offsetNs - targetNs;
        boolean overBound = offsetNs - minOffsetNs > maxDelayNs + frameNs / 2;
        EncodedFrame frame = buffer.peek();
        if (frame != null) {
            buffer.take();
            slots++;
            boolean quiet;
            boolean copy = frame.isRedundant();
            if (frame.length == 0) {
                // Discontinuous transmission: the decoder's comfort noise, not a loss.
                counters.increment(Stat.FRAMES_DTX);
                codec.conceal(pcm, 0);
                inDtx = true;
                quiet = true;
            } else {
                int samples = codec.decode(frame.data, 0, frame.length, pcm, 0);
                if (samples < 0) {
                    counters.increment(Stat.DECODE_ERRORS);
                    codec.conceal(pcm, 0);
                    counters.increment(Stat.FRAMES_CONCEALED);
                    counters.add(Stat.CONCEALED_MS, frameMs);
                } else if (copy) {
                    counters.increment(Stat.FRAMES_RECOVERED);
                } else {
                    counters.increment(Stat.FRAMES_PLAYED);
                }
                quiet = isQuiet(pcm);
                // A quiet frame amid silence is comfort noise: the silence goes on after it.
                inDtx = inDtx && quiet;
            }
            recycler.recycle(frame);
            return scaled(out, errorNs, quiet, overBound);
        }
        boolean laterHeld = buffer.buffered() > 0;
        if (inDtx) {
            // A gap after silence is more silence (a DTX run arrives in one batch, after its time).
            if (errorNs < -frameNs * 3 / 4 && !laterHeld) {
                return hold(out, false);
            }
            buffer.take();
            slots++;
            counters.increment(Stat.FRAMES_DTX);
            codec.conceal(pcm, 0);
            return scaled(out, errorNs, true, overBound);
        }
        // Just after the start, also the offset now, unsmoothed: the device takes its first chunks at once (its buffer
        // is empty), so the next frames are wanted up to a buffer earlier than the start said, a step the smoothed
        // offset shows only over several chunks; judged on it alone, they would be concealed and then arrive just late.
        // Later the smoothed offset alone decides: the unsmoothed one follows every wobble of the device's timing.
        long waitErrorNs = (slots - startSlot) * frameNs < START_NS
                ? Math.min(errorNs, chunkNowNs - buffer.head() * frameNs - targetNs) : errorNs;
        if (!laterHeld && (waitErrorNs < -frameNs / 2 || stream && offsetNs - minOffsetNs + frameNs <= stallLimitNs)) {
            // Nothing has come yet and the delay is short of its target: wait rather than lose the frame. Over a
            // stream nothing is lost: the frame is held up behind a retransmission; wait for it up to the stall limit.
            return hold(out, true);
        }
        EncodedFrame next = buffer.peek(1);
        buffer.take();
        slots++;
        if (next != null && next.length > 0 && !next.isRedundant() && (next.flags & EncodedFrame.FLAG_FEC) != 0) {
            codec.recover(next.data, 0, next.length, pcm, 0);
            counters.increment(Stat.FRAMES_RECOVERED);
            counters.increment(Stat.FRAMES_RECOVERED_FEC);
            return scaled(out, errorNs, false, overBound);
        }
        counters.increment(Stat.FRAMES_CONCEALED);
        if (laterHeld && (errorNs >= frameNs * 3 / 4 || overBound)) {
            // Far behind with frames waiting: skip the lost one instead of playing concealment for it.
            codec.conceal(pcm, 0);
            offsetNs -= frameNs;
            shrunk(frameSamples);
            return 0;
        }
        codec.conceal(pcm, 0);
        counters.add(Stat.CONCEALED_MS, frameMs);
        return scaled(out, errorNs, false, overBound);
    }

    /** Plays a frame of concealment (or comfort noise) without moving on: the delay grows by a frame. */
    private int hold(short[] out, boolean countConcealed) {
        codec.conceal(out, 0);
        if (countConcealed) {
            counters.add(Stat.CONCEALED_MS, frameMs);
        }
        stretched(frameSamples);
        lastAdvance = 0;
        return frameSamples;
    }

    private int concealInto(short[] out) {
        codec.conceal(out, 0);
        counters.add(Stat.CONCEALED_MS, frameMs);
        stretched(frameSamples);
        return frameSamples;
    }

    /** Writes the decoded frame in {@link #pcm}, shortened or lengthened as the delay needs. */
    private int scaled(short[] out, long errorNs, boolean quiet, boolean overBound) {
        lastAdvance = 1;
        if (overBound || quiet && errorNs >= frameNs * 3 / 4) {
            // Quiet enough to drop whole, or the delay is over its bound: the bound holds, whatever is lost.
            offsetNs -= frameNs;
            shrunk(frameSamples);
            return 0;
        }
        if (errorNs > scaleThresholdNs) {
            int n = scaler.shrink(pcm, frameSamples, out);
            shrunk(frameSamples - n);
            return n;
        }
        if (errorNs < -scaleThresholdNs) {
            if (quiet && errorNs < -frameNs * 3 / 4) {
                // Quiet: play it and a frame of the decoder's continuation after it.
                System.arraycopy(pcm, 0, out, 0, frameSamples);
                codec.conceal(out, frameSamples);
                stretched(frameSamples);
                return 2 * frameSamples;
            }
            int n = scaler.stretch(pcm, frameSamples, out);
            stretched(n - frameSamples);
            return n;
        }
        System.arraycopy(pcm, 0, out, 0, frameSamples);
        return frameSamples;
    }

    /** Counts playout time added; kept in samples so that many small changes add up exactly. */
    private void stretched(int samples) {
        long beforeMs = samplesToMs(stretchedSamples);
        stretchedSamples += samples;
        counters.add(Stat.STRETCHED_MS, samplesToMs(stretchedSamples) - beforeMs);
    }

    /** Counts playout time removed. */
    private void shrunk(int samples) {
        long beforeMs = samplesToMs(shrunkSamples);
        shrunkSamples += samples;
        counters.add(Stat.SHRUNK_MS, samplesToMs(shrunkSamples) - beforeMs);
    }

    private long samplesToMs(long samples) {
        return samples * 1000L / samplesPerSecond;
    }

    private boolean isQuiet(short[] frame) {
        long sum = 0;
        for (int i = 0; i < frameSamples; i++) {
            sum += (long) frame[i] * frame[i];
        }
        return sum / frameSamples < QUIET_MEAN_SQUARE;
    }

    private void publish() {
        long delayMs = (offsetNs - minOffsetNs) / 1_000_000L;
        counters.set(Stat.PLAYOUT_DELAY_MS, delayMs);
        counters.set(Stat.PLAYOUT_TARGET_MS, (targetNs - minOffsetNs) / 1_000_000L);
        if (delayMs > maxDelayMsSeen) {
            maxDelayMsSeen = delayMs;
            counters.set(Stat.PLAYOUT_DELAY_MAX_MS, delayMs);
        }
    }

    boolean isStarted() {
        return started;
    }

    /** The sequence number whose turn is next. */
    long head() {
        return buffer.head();
    }

    /** Extends a 32-bit wire sequence number to 64 bits around the play head. */
    long extend(long sequence32) {
        return buffer.extend(sequence32);
    }

    /** Frames held. */
    int buffered() {
        return buffer.buffered();
    }

    /** Slots played since the start: frames, copies, rebuilt, concealed or DTX, one per sequence number passed. */
    long slots() {
        return slots;
    }

    /** The current playout delay: the playout offset above the smallest offset in the window. */
    long delayNs() {
        return offsetNs - minOffsetNs;
    }
}
