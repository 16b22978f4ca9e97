package dev.viz.core.internal;

import dev.viz.core.Codec;
import dev.viz.core.Redundancy;

/**
 * The real-time settings a session runs with, from its profile and builder: how the playout
 * adapts, and how the sender protects its stream against loss. Immutable.
 */
public final class RealtimeSettings {
    final long playoutMarginNs;
    final long maxPlayoutDelayNs;
    final Redundancy redundancy;
    final Codec copyCodec;
    final int bitrateBps;
    final int copyBitrateBps;

    /**
     * @param copyCodec the encoder for redundant copies, or null for none (then no copies are sent)
     * @param bitrateBps the main encoder's configured bitrate
     * @param copyBitrateBps the copy encoder's bitrate
     */
    public RealtimeSettings(long playoutMarginNs, long maxPlayoutDelayNs, Redundancy redundancy, Codec copyCodec,
            int bitrateBps, int copyBitrateBps) {
        this.playoutMarginNs = playoutMarginNs;
        this.maxPlayoutDelayNs = maxPlayoutDelayNs;
        this.redundancy = redundancy;
        this.copyCodec = copyCodec;
        this.bitrateBps = bitrateBps;
        this.copyBitrateBps = copyBitrateBps;
    }
}
