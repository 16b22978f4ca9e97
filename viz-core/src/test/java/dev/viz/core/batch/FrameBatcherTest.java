package dev.viz.core.batch;

import dev.viz.core.Batcher;
import dev.viz.core.Compressor;
import dev.viz.core.contract.BatcherContract;

class FrameBatcherTest extends BatcherContract {
    @Override
    protected Batcher newBatcher() {
        return new FrameBatcher();
    }

    @Override
    protected Compressor newCompressor() {
        return new NoCompressor();
    }
}
