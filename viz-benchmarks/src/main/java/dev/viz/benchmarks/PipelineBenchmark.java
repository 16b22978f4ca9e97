package dev.viz.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Viz's send and receive paths, per 40 ms frame (one operation = one frame; batching, compression
 * and encryption happen on every 8th frame, so their cost is spread over the 8 frames of a batch as
 * it is in a call). With {@code codec=passthrough} what remains is Viz's own cost; with
 * {@code concentus} or {@code native} it is the whole per-frame cost of a call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PipelineBenchmark {
    /** The default datagram payload limit. */
    static final int MAX_PAYLOAD_BYTES = 1400;

    @Param({"passthrough", "concentus", "native"})
    public String codec;

    @Param({"none", "zstd"})
    public String compressor;

    private SendPath send;
    private ReceivePath receive;

    @Setup(Level.Trial)
    public void setUp() {
        send = new SendPath(Codecs.codec(codec), Codecs.compressor(compressor), Speech.continuous(), 8,
                MAX_PAYLOAD_BYTES);
        SendPath producer = new SendPath(Codecs.codec(codec), Codecs.compressor(compressor), Speech.continuous(), 8,
                MAX_PAYLOAD_BYTES);
        receive = new ReceivePath(Codecs.codec(codec), Codecs.compressor(compressor), producer, 31, MAX_PAYLOAD_BYTES);
    }

    /** Encode → batch → compress → encrypt, per frame. */
    @Benchmark
    public int sendFrame() {
        return send.sendFrame();
    }

    /** Decrypt → decompress → unbatch → jitter buffer → decode, per frame. */
    @Benchmark
    public int receiveFrame() {
        return receive.receiveFrame();
    }
}
