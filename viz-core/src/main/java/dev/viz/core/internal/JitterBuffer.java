package dev.viz.core.internal;

/**
 * Orders received frames by sequence number and releases one per playout slot: the storage under
 * {@link Playout}, which decides when to play. Playback thread only; allocates nothing.
 *
 * <p>Frames are held in a ring indexed by sequence number, from the play head on. A slot holds the
 * frame itself or, until the frame arrives, a redundant copy of it (which the frame then replaces).
 * A frame that arrives after its turn is late; one that arrives twice (or a copy of one already
 * held) is a duplicate; neither is stored.
 *
 * <p>Sequence numbers are 32 bits on the wire; the buffer extends them to 64 bits around the play
 * head, so wrap-around is seamless.
 */
final class JitterBuffer {
    static final int INSERTED = 0;
    static final int LATE = 1;
    static final int DUPLICATE = 2;
    static final int OVERFLOW = 3;

    /** Frames the ring holds: 10 s of 40 ms frames, far beyond any sane playout delay. */
    static final int CAPACITY = 256;
    private static final int MASK = CAPACITY - 1;

    /** Takes back frames the buffer lets go of by itself (a copy replaced by its frame, a reset). */
    @FunctionalInterface
    interface Recycler {
        void recycle(EncodedFrame frame);
    }

    private final EncodedFrame[] slots = new EncodedFrame[CAPACITY];
    private final long startDelayNs;
    private final Recycler recycler;
    private long head;
    private long firstArrivalNs;
    private boolean anyArrived;
    private boolean started;
    private int buffered;

    /** A buffer whose {@link #startIfDue} starts playout {@code startDelayNs} after the first arrival. */
    JitterBuffer(long startDelayNs) {
        this(startDelayNs, frame -> { });
    }

    JitterBuffer(long startDelayNs, Recycler recycler) {
        this.startDelayNs = startDelayNs;
        this.recycler = recycler;
    }

    /** Extends a 32-bit wire sequence number to the 64-bit one nearest the play head. */
    long extend(long sequence32) {
        long reference = head;
        int delta = (int) (sequence32 - (reference & 0xFFFF_FFFFL));
        return reference + delta;
    }

    /**
     * Offers a received frame (or a redundant copy of one). On any result but {@link #INSERTED} the
     * caller keeps the frame (and returns it to its pool). A frame that replaces a held copy
     * recycles the copy.
     */
    int insert(EncodedFrame frame, long nowNs) {
        if (!anyArrived) {
            anyArrived = true;
            firstArrivalNs = nowNs;
            head = frame.sequence & 0xFFFF_FFFFL;
        }
        long sequence = extend(frame.sequence);
        if (sequence < head) {
            if (started) {
                return LATE;
            }
            // Before playout starts, an earlier frame moves the head back (reordering at the start).
            if (head - sequence + highestOffset() >= CAPACITY) {
                return OVERFLOW;
            }
            head = sequence;
        }
        if (sequence - head >= CAPACITY) {
            return OVERFLOW;
        }
        int slot = (int) (sequence & MASK);
        EncodedFrame held = slots[slot];
        if (held != null) {
            if (held.sequence == sequence && held.isRedundant() && !frame.isRedundant()) {
                frame.sequence = sequence;
                slots[slot] = frame;
                recycler.recycle(held);
                return INSERTED;
            }
            return DUPLICATE;
        }
        frame.sequence = sequence;
        slots[slot] = frame;
        buffered++;
        return INSERTED;
    }

    private long highestOffset() {
        long highest = 0;
        for (long i = CAPACITY - 1; i >= 0; i--) {
            if (slots[(int) ((head + i) & MASK)] != null) {
                highest = i;
                break;
            }
        }
        return highest;
    }

    /** Whether playout has begun; starts it once the start delay has passed since the first arrival. */
    boolean startIfDue(long nowNs) {
        if (!started && anyArrived && nowNs - firstArrivalNs >= startDelayNs) {
            started = true;
        }
        return started;
    }

    /** Starts playout now, from the head. */
    void start() {
        started = true;
    }

    /** The frame whose turn it is, or null when it is missing; advances the head either way. */
    EncodedFrame take() {
        int slot = (int) (head & MASK);
        EncodedFrame frame = slots[slot];
        if (frame != null && frame.sequence == head) {
            slots[slot] = null;
            buffered--;
        } else {
            frame = null;
        }
        head++;
        return frame;
    }

    /** The frame whose turn is next, without taking it, or null. */
    EncodedFrame peek() {
        return peek(0);
    }

    /** The frame {@code ahead} turns after the next one, without taking it, or null. */
    EncodedFrame peek(int ahead) {
        long sequence = head + ahead;
        EncodedFrame frame = slots[(int) (sequence & MASK)];
        return frame != null && frame.sequence == sequence ? frame : null;
    }

    /** The sequence number whose turn is next. */
    long head() {
        return head;
    }

    /** Frames held. */
    int buffered() {
        return buffered;
    }

    boolean anyArrived() {
        return anyArrived;
    }

    /** Lets go of every frame and forgets the stream: the next arrival starts it anew. */
    void reset() {
        for (int i = 0; i < CAPACITY; i++) {
            if (slots[i] != null) {
                recycler.recycle(slots[i]);
                slots[i] = null;
            }
        }
        buffered = 0;
        anyArrived = false;
        started = false;
    }
}
