package dev.viz.core.internal;

import dev.viz.core.Codec;

/**
 * One encoded frame, pre-allocated and handed between threads through SPSC queues; whoever holds
 * it owns it. Never allocated on the hot path.
 *
 * <p>Capture to network: {@link #data} is the frame, {@link #copy} its low-bitrate redundant
 * encoding when the session carries copies. Network to playback: {@link #data} is the frame or a
 * redundant copy ({@link #FLAG_REDUNDANT}), stamped with when its datagram arrived.
 */
final class EncodedFrame {
    /** Set on the marker the capture thread sends when the input has ended. */
    static final int FLAG_END_OF_STREAM = 1;
    /** The data is a redundant (low-bitrate) copy of the frame, not the frame itself. */
    static final int FLAG_REDUNDANT = 2;
    /** The frame was encoded with in-band forward error correction for the frame before it. */
    static final int FLAG_FEC = 4;
    /**
     * Network to playback: the frame's arrival time measures the path's timing (a frame with audio,
     * or an empty one in a batch of regular size; not an empty one of a run of silence gathered into
     * one datagram, which is sent late on purpose).
     */
    static final int FLAG_TIMED = 8;
    /**
     * Network to playback: the first frame of a new stream from the peer (it restarted): the playout
     * forgets the old stream (its frames, timing and delay) before taking this one.
     */
    static final int FLAG_NEW_STREAM = 16;
    /** The largest redundant copy kept: a low-bitrate frame is a few dozen bytes. */
    static final int MAX_COPY_BYTES = 320;

    final byte[] data = new byte[Codec.MAX_ENCODED_BYTES];
    final byte[] copy = new byte[MAX_COPY_BYTES];
    long sequence;
    int length;
    int flags;
    /** Capture to network: the redundant copy's length, or -1 when there is none. */
    int copyLength = -1;
    /** Network to playback: when the datagram carrying this frame arrived (System.nanoTime or a simulated clock). */
    long arrivalNs;
    /**
     * Network to playback: how much later than the frames themselves the recovery data for a lost
     * frame arrives on this stream (copies in later datagrams, FEC in the next frame); 0 when there is
     * none. The playout delay covers it so recovery is in time.
     */
    long recoverySpanNs;

    void set(long sequence, byte[] src, int offset, int length) {
        this.sequence = sequence;
        this.length = length;
        this.flags = 0;
        this.copyLength = -1;
        this.recoverySpanNs = 0;
        System.arraycopy(src, offset, data, 0, length);
    }

    boolean isRedundant() {
        return (flags & FLAG_REDUNDANT) != 0;
    }
}
