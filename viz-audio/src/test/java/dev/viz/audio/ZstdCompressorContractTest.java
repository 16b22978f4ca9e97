package dev.viz.audio;

import dev.viz.core.Compressor;
import dev.viz.core.contract.CompressorContract;

class ZstdCompressorContractTest extends CompressorContract {
    @Override
    protected Compressor newCompressor() {
        return new ZstdCompressor();
    }
}
