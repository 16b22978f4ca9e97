package dev.viz.core.batch;

import dev.viz.core.Batcher;
import dev.viz.core.Compressor;
import dev.viz.core.contract.BatcherContract;
import dev.viz.core.testing.PlainBatcher;

/** The contract against the second batcher, whose wire format differs from {@link FrameBatcher}'s. */
class PlainBatcherTest extends BatcherContract {
    @Override
    protected Batcher newBatcher() {
        return new PlainBatcher();
    }

    @Override
    protected Compressor newCompressor() {
        return new NoCompressor();
    }
}
