package dev.viz.core.batch;

import dev.viz.core.Compressor;
import dev.viz.core.contract.CompressorContract;

class NoCompressorContractTest extends CompressorContract {
    @Override
    protected Compressor newCompressor() {
        return new NoCompressor();
    }
}
