package dev.viz.transport.secure.internal;

/**
 * Sliding replay window over 64-bit datagram counters (the bitmap scheme of RFC 6479): remembers
 * which of the last {@value #SIZE} counters below the highest one seen have arrived. A counter is
 * accepted once; a repeat, or one older than the window, is refused.
 *
 * <p>Call {@link #accept} only after the datagram authenticated: a forgery must never move the
 * window. The bitmap is a ring of {@value #BLOCKS} 64-bit blocks; sliding clears whole blocks, so
 * a jump ahead costs at most {@value #BLOCKS} stores and nothing is allocated.
 *
 * <p>Not thread-safe: the network thread owns it.
 */
public final class ReplayWindow {
    /** Ring size in blocks of 64 counters (a power of two). */
    public static final int BLOCKS = 64;
    private static final int BLOCK_SHIFT = 6;
    private static final int RING_BITS = BLOCKS * 64;
    /**
     * Counters this far below the highest seen are still accepted (once): one block of the ring
     * is always being recycled, so the window is {@code 4096 - 64 = 4032}, above the 2048 required.
     */
    public static final int SIZE = RING_BITS - 64;

    private final long[] ring = new long[BLOCKS];
    private long highest = -1;

    /**
     * Records {@code counter} and says whether it is new.
     *
     * @return true when the counter was not seen before and is inside the window; false for a
     *     replay or a counter too old to judge
     */
    public boolean accept(long counter) {
        if (counter < 0) {
            return false; // counters are below 2^63 (the sender stops there)
        }
        if (counter > highest) {
            long currentBlock = highest < 0 ? -1 : highest >>> BLOCK_SHIFT;
            long newBlock = counter >>> BLOCK_SHIFT;
            long toClear = Math.min(newBlock - currentBlock, BLOCKS);
            for (long i = 1; i <= toClear; i++) {
                ring[(int) ((currentBlock + i) & (BLOCKS - 1))] = 0;
            }
            highest = counter;
        } else if (highest - counter > SIZE) {
            return false;
        }
        int block = (int) ((counter >>> BLOCK_SHIFT) & (BLOCKS - 1));
        long bit = 1L << (counter & 63);
        if ((ring[block] & bit) != 0) {
            return false;
        }
        ring[block] |= bit;
        return true;
    }

    /** The highest counter accepted so far, or -1. */
    public long highest() {
        return highest;
    }
}
