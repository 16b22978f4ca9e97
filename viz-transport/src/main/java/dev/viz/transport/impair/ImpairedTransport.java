package dev.viz.transport.impair;

import dev.viz.core.Transport;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * A decorator that makes the path to the peer bad on purpose, as an {@link ImpairmentSpec} says:
 * loss (independent or in Gilbert–Elliott bursts), reordering, duplication, delay and jitter. For
 * tests, examples and demonstrations ({@code viz --simulate loss=5%,jitter=40ms}); never for a real
 * call.
 *
 * <pre>{@code
 * Transport bad = ImpairmentSpec.parse("loss=5%,burst=2,jitter=40ms,seed=7").wrap(UdpTransport.connect(host, port));
 * VoiceSession.builder().transport(bad)...   // the builder puts the secure layer above it, as on a real path
 * }</pre>
 *
 * <p>Every decision comes from a generator seeded by the spec (one per direction), so the same spec,
 * the same traffic and the same clock give the same datagrams lost, late and doubled. Delays are
 * measured on the clock given to {@link ImpairmentSpec#wrap(Transport, LongSupplier)}, which may be
 * simulated: held datagrams move on when the session calls {@link #send}, {@link #receive} or
 * {@link #doWork}, as it does at least every millisecond.
 *
 * <p>Sent datagrams wait in this transport and go to the wrapped one when due; received ones are
 * taken from the wrapped transport as they come and handed on when due. Each direction holds up to
 * {@value #CAPACITY} datagrams in pre-allocated slots; beyond that a datagram is dropped and counted
 * as lost. Nothing is allocated per datagram. Network thread only, like any transport.
 */
public final class ImpairedTransport implements Transport {
    /** Datagrams held per direction. */
    public static final int CAPACITY = 512;
    /** A reordered datagram waits at most this long for a later one to overtake it. */
    private static final long REORDER_HOLD_NS = 500_000_000L;
    /** Received datagrams are held in slots this large at least. */
    private static final int MIN_SLOT_BYTES = 2048;

    private final Transport inner;
    private final ImpairmentSpec spec;
    private final LongSupplier clockNs;
    private Lane outbound;
    private Lane inbound;
    private volatile Thread sender;
    private volatile boolean cut;

    ImpairedTransport(Transport inner, ImpairmentSpec spec, LongSupplier clockNs) {
        this.inner = inner;
        this.spec = spec;
        this.clockNs = clockNs;
    }

    /** The spec this transport follows. */
    public ImpairmentSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return inner.name() + " (impaired: " + spec + ")";
    }

    @Override
    public void open(Events events) throws IOException {
        inner.open(events);
        boolean out = spec.direction() != ImpairmentSpec.Direction.IN;
        boolean in = spec.direction() != ImpairmentSpec.Direction.OUT;
        int slotBytes = Math.max(MIN_SLOT_BYTES, inner.maxPayloadBytes());
        outbound = new Lane(out ? spec : ImpairmentSpec.NONE, spec.seed(), slotBytes);
        inbound = new Lane(in ? spec : ImpairmentSpec.NONE, spec.seed() ^ 0x5DEECE66DL, slotBytes);
    }

    @Override
    public int maxPayloadBytes() {
        return inner.maxPayloadBytes();
    }

    @Override
    public boolean isReady() {
        return inner.isReady();
    }

    /**
     * Any thread: the path goes dead from now on, as to a peer whose process was killed: what is sent
     * is lost without a word (send still reports it gone, as a socket would), and nothing arrives
     * (what comes from the wrapped transport is taken and dropped). Not counted as loss.
     */
    public void cut() {
        cut = true;
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (length > inner.maxPayloadBytes()) {
            return ERROR_TOO_LARGE;
        }
        if (!inner.isReady()) {
            return NOT_READY;
        }
        if (cut) {
            return length;
        }
        long now = clockNs.getAsLong();
        sender = Thread.currentThread();
        outbound.offer(buffer, offset, length, now);
        releaseOutbound(now);
        // Whatever the simulated network does to it later, the datagram left this host.
        return length;
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        if (cut) {
            while (inner.receive(inbound.scratch, 0, inbound.scratch.length) > 0) {
                // a dead path: whatever still arrives is dropped
            }
            return 0;
        }
        long now = clockNs.getAsLong();
        releaseOutbound(now);
        for (int i = 0; i < CAPACITY; i++) {
            byte[] slot = inbound.spare();
            if (slot == null) {
                // Full: take the datagram off the wrapped transport and lose it, as a full queue would.
                int dropped = inner.receive(inbound.scratch, 0, inbound.scratch.length);
                if (dropped <= 0) {
                    break;
                }
                inbound.overflowed++;
                continue;
            }
            int length = inner.receive(slot, 0, slot.length);
            if (length <= 0) {
                break;
            }
            inbound.commitSpare(length, now);
        }
        return inbound.poll(buffer, offset, capacity, now);
    }

    @Override
    public int doWork(long nowNs) {
        int work = inner.doWork(nowNs);
        return work + releaseOutbound(clockNs.getAsLong());
    }

    private int releaseOutbound(long now) {
        int released = 0;
        int length;
        while ((length = outbound.pollInto(now)) >= 0) {
            inner.send(outbound.scratch, 0, length);
            released++;
        }
        return released;
    }

    /**
     * Passed to the wrapped transport, which binds to the source of the datagram it received last.
     * With received datagrams held back that is the newest one taken in, not necessarily the one
     * handed on last: the same peer, on any path with one peer.
     */
    @Override
    public void acceptPeer() {
        inner.acceptPeer();
    }

    /**
     * Answers the source of the last datagram received, through the wrapped transport at once and
     * unimpaired: a secure listener answers a handshake this way before the peer is known, and the
     * impairment's queue only knows the peer. The same caveat as {@link #acceptPeer} applies.
     */
    @Override
    public int reply(byte[] buffer, int offset, int length) {
        return inner.reply(buffer, offset, length);
    }

    @Override
    public long lastSourceKey() {
        return inner.lastSourceKey();
    }

    @Override
    public long wireBytesSent() {
        return inner.wireBytesSent();
    }

    @Override
    public long wireBytesReceived() {
        return inner.wireBytesReceived();
    }

    @Override
    public boolean isSecure() {
        return inner.isSecure();
    }

    /**
     * What the wrapped transport answers: the carrier's stalls are still there under the impairment
     * (whose own losses then show as gaps, as on a datagram path).
     */
    @Override
    public boolean isReliableStream() {
        return inner.isReliableStream();
    }

    @Override
    public String peer() {
        return inner.peer();
    }

    /**
     * Closes the wrapped transport. Called on the thread that sends (as the session's network thread
     * does on its way out), it first sends at once what the impairment still holds, as a network
     * delivers what is in flight after its sender closes: the last audio, the bye.
     */
    @Override
    public void close() {
        if (outbound != null && sender == Thread.currentThread() && inner.isReady()) {
            releaseOutbound(Long.MAX_VALUE);
        }
        inner.close();
    }

    /** Datagrams the simulated path lost, both directions (a full queue included). */
    public long datagramsLost() {
        return lost(outbound) + lost(inbound);
    }

    /** Datagrams delivered twice, both directions. */
    public long datagramsDuplicated() {
        return (outbound == null ? 0 : outbound.duplicated) + (inbound == null ? 0 : inbound.duplicated);
    }

    /** Datagrams delivered after a later one, both directions. */
    public long datagramsReordered() {
        return (outbound == null ? 0 : outbound.reordered) + (inbound == null ? 0 : inbound.reordered);
    }

    /** Datagrams that went through the impairment (before loss), both directions. */
    public long datagramsOffered() {
        return (outbound == null ? 0 : outbound.offered) + (inbound == null ? 0 : inbound.offered);
    }

    private static long lost(Lane lane) {
        return lane == null ? 0 : lane.lost + lane.overflowed;
    }

    /**
     * One direction: decides each datagram's fate and holds it until it is due, in a ring of slots
     * kept in release order.
     */
    private static final class Lane {
        private final double loss;
        private final boolean bursty;
        private final double goodToBad;
        private final double badToGood;
        private final double reorder;
        private final double duplicate;
        private final long delayNs;
        private final long jitterNs;
        private final SplittableRandom random;
        private final byte[][] slots;
        private final int[] lengths;
        private final long[] releaseNs;
        private final byte[] held;
        final byte[] scratch;
        private int head;
        private int size;
        private boolean bad;
        private long lastReleaseNs = Long.MIN_VALUE;
        private int heldLength = -1;
        private long heldSinceNs;
        private long heldReleaseNs;
        long offered;
        long lost;
        long overflowed;
        long duplicated;
        long reordered;

        Lane(ImpairmentSpec spec, long seed, int slotBytes) {
            this.loss = spec.lossPercent() / 100;
            this.bursty = spec.burstLength() > 0 && loss > 0 && loss < 1;
            this.badToGood = bursty ? 1.0 / spec.burstLength() : 0;
            this.goodToBad = bursty ? loss * badToGood / (1 - loss) : 0;
            this.reorder = spec.reorderPercent() / 100;
            this.duplicate = spec.duplicatePercent() / 100;
            this.delayNs = spec.delayNs();
            this.jitterNs = spec.jitterNs();
            this.random = new SplittableRandom(seed);
            this.slots = new byte[CAPACITY][slotBytes];
            this.lengths = new int[CAPACITY];
            this.releaseNs = new long[CAPACITY];
            this.held = new byte[slotBytes];
            this.scratch = new byte[slotBytes];
        }

        /** Whether the next datagram is lost. */
        private boolean lose() {
            if (bursty) {
                bad = bad ? random.nextDouble() >= badToGood : random.nextDouble() < goodToBad;
                return bad;
            }
            return loss > 0 && random.nextDouble() < loss;
        }

        private long release(long now) {
            long due = now + delayNs + (jitterNs > 0 ? (long) (random.nextDouble() * jitterNs) : 0);
            // One queue: a datagram never overtakes the one before it (unless reordered on purpose).
            due = Math.max(due, lastReleaseNs);
            lastReleaseNs = due;
            return due;
        }

        /** A datagram enters the path. */
        void offer(byte[] src, int offset, int length, long now) {
            offered++;
            releaseHeldIfStale(now);
            if (lose()) {
                lost++;
                return;
            }
            boolean twice = duplicate > 0 && random.nextDouble() < duplicate;
            boolean late = reorder > 0 && random.nextDouble() < reorder;
            long due = release(now);
            if (late && heldLength < 0) {
                System.arraycopy(src, offset, held, 0, length);
                heldLength = length;
                heldSinceNs = now;
                heldReleaseNs = due;
                if (twice) {
                    duplicated++;
                    enqueue(src, offset, length, due);
                }
                return;
            }
            enqueue(src, offset, length, due);
            if (twice) {
                duplicated++;
                enqueue(src, offset, length, due);
            }
            if (heldLength >= 0) {
                // The held datagram comes right after this later one.
                reordered++;
                enqueue(held, 0, heldLength, Math.max(due, heldReleaseNs));
                heldLength = -1;
            }
        }

        private void releaseHeldIfStale(long now) {
            if (heldLength >= 0 && now - heldSinceNs >= REORDER_HOLD_NS) {
                enqueue(held, 0, heldLength, Math.max(heldReleaseNs, lastReleaseNs));
                heldLength = -1;
            }
        }

        private void enqueue(byte[] src, int offset, int length, long due) {
            if (size == CAPACITY || length > slots[0].length) {
                overflowed++;
                return;
            }
            int at = (head + size) % CAPACITY;
            System.arraycopy(src, offset, slots[at], 0, length);
            lengths[at] = length;
            releaseNs[at] = due;
            size++;
        }

        /** The free slot the next received datagram can be read into, or null when full. */
        byte[] spare() {
            return size == CAPACITY ? null : slots[(head + size) % CAPACITY];
        }

        /** The datagram just read into {@link #spare()} enters the path. */
        void commitSpare(int length, long now) {
            int at = (head + size) % CAPACITY;
            // Copy out, then run it through the same fate as a sent datagram.
            System.arraycopy(slots[at], 0, scratch, 0, length);
            offer(scratch, 0, length, now);
        }

        /** Moves the first due datagram to {@link #scratch}; its length, or -1 when none is due. */
        int pollInto(long now) {
            releaseHeldIfStale(now);
            if (size == 0 || releaseNs[head] > now) {
                return -1;
            }
            int length = lengths[head];
            System.arraycopy(slots[head], 0, scratch, 0, length);
            head = (head + 1) % CAPACITY;
            size--;
            return length;
        }

        /** Copies the first due datagram to {@code dst}; its length, or 0 when none is due. */
        int poll(byte[] dst, int offset, int capacity, long now) {
            releaseHeldIfStale(now);
            if (size == 0 || releaseNs[head] > now) {
                return 0;
            }
            int length = Math.min(lengths[head], capacity);
            System.arraycopy(slots[head], 0, dst, offset, length);
            head = (head + 1) % CAPACITY;
            size--;
            return length;
        }
    }
}
