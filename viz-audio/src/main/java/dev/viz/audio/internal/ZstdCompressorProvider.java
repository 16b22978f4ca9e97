package dev.viz.audio.internal;

import dev.viz.audio.ZstdCompressor;
import dev.viz.core.Compressor;
import dev.viz.core.spi.CompressorProvider;

/** Registers {@link ZstdCompressor} at its default level as the default compressor. */
public final class ZstdCompressorProvider implements CompressorProvider {
    /** @throws IllegalStateException when zstd-jni has no native library for this platform */
    @Override
    public Compressor newCompressor() {
        return new ZstdCompressor();
    }
}
