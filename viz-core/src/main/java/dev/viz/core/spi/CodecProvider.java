package dev.viz.core.spi;

import dev.viz.core.Codec;

/** Supplies the default {@link Codec}. The provider with the highest {@link #priority()} wins. */
public interface CodecProvider {
    /** A new codec at {@code bitrateBps} (the format comes later, through {@link Codec#open}). */
    Codec newCodec(int bitrateBps);

    default int priority() {
        return 0;
    }
}
