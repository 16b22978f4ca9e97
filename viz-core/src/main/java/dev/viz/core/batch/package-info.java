/** The default {@link dev.viz.core.Batcher}: {@link dev.viz.core.batch.FrameBatcher}. */
package dev.viz.core.batch;
