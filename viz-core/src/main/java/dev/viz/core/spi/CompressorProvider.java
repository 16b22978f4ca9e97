package dev.viz.core.spi;

import dev.viz.core.Compressor;

/** Supplies the default {@link Compressor}. The provider with the highest {@link #priority()} wins. */
public interface CompressorProvider {
    Compressor newCompressor();

    default int priority() {
        return 0;
    }
}
