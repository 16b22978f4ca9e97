package dev.viz.audio.internal;

import dev.viz.core.Codec;
import dev.viz.core.spi.CodecProvider;

/**
 * Registers the default codec: native libopus where it loads (faster, allocation-free), Concentus
 * otherwise, as {@link dev.viz.audio.Codecs#select} does for {@code auto}.
 */
public final class OpusCodecProvider implements CodecProvider {
    @Override
    public Codec newCodec(int bitrateBps) {
        return dev.viz.audio.Codecs.select("auto", bitrateBps);
    }
}
