package dev.viz.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The original's per-frame framing ({@link OriginalFraming}) on a 160-byte frame: zstd + NaCl box, per frame. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class OriginalFramingBenchmark {
    private final byte[] frame = new byte[160];
    private OriginalFraming framing;
    private int frames;

    @Setup(Level.Trial)
    public void setUp() {
        new SplittableRandom(9).nextBytes(frame);
        framing = new OriginalFraming();
    }

    @Benchmark
    public int originalFramePerFrame() {
        int added = framing.addFrame(frame, frame.length);
        if (++frames == 8) {
            frames = 0;
            framing.flush();
        }
        return added;
    }
}
