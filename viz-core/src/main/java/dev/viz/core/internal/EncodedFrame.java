package dev.viz.core.internal;

import dev.viz.core.Codec;

/**
 * One encoded frame, pre-allocated and handed between threads through SPSC queues; whoever holds
 * it owns it. Never allocated on the hot path.
 */
final class EncodedFrame {
    /** Set on the marker the capture thread sends when the input has ended. */
    static final int FLAG_END_OF_STREAM = 1;

    final byte[] data = new byte[Codec.MAX_ENCODED_BYTES];
    long sequence;
    int length;
    int flags;

    void set(long sequence, byte[] src, int offset, int length) {
        this.sequence = sequence;
        this.length = length;
        this.flags = 0;
        System.arraycopy(src, offset, data, 0, length);
    }
}
