package dev.viz.benchmarks;

import dev.viz.audio.OpusCodec;
import dev.viz.audio.ZstdCompressor;
import dev.viz.audio.opus.nativelib.NativeOpusCodec;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.batch.NoCompressor;

/** The codecs and compressors a benchmark's {@code @Param} names. */
final class Codecs {
    private Codecs() {
    }

    static Codec codec(String name) {
        switch (name) {
            case "passthrough":
                return new PassThroughCodec();
            case "native":
                return new NativeOpusCodec(32_000);
            case "concentus-bare":
                return new BareConcentusCodec();
            case "concentus":
                return new OpusCodec();
            default:
                throw new IllegalArgumentException("codec " + name + ": use passthrough, native or concentus");
        }
    }

    static Compressor compressor(String name) {
        switch (name) {
            case "none":
                return new NoCompressor();
            case "zstd":
                return new ZstdCompressor();
            default:
                throw new IllegalArgumentException("compressor " + name + ": use none or zstd");
        }
    }
}
