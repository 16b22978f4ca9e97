package dev.viz.audio.internal;

import dev.viz.audio.OpusCodec;
import dev.viz.core.Codec;
import dev.viz.core.spi.CodecProvider;

/** Registers {@link OpusCodec} (Concentus) as the default codec. */
public final class OpusCodecProvider implements CodecProvider {
    @Override
    public Codec newCodec(int bitrateBps) {
        return OpusCodec.builder().bitrateBps(bitrateBps).build();
    }
}
