package dev.viz.core.internal;

/**
 * What the network thread, which hears the peer's receiver reports, tells the capture thread,
 * which runs the encoders: values published with volatile writes and read once per frame.
 */
final class EncoderControl {
    /** The loss the encoder should expect, in percent (0: none, in-band FEC off). */
    volatile int expectLossPercent;
    /** The bitrate the encoder should run at, bit/s; 0 leaves it as configured. */
    volatile int bitrateBps;
    /** Whether to encode a redundant low-bitrate copy of each frame. */
    volatile boolean copies;
}
