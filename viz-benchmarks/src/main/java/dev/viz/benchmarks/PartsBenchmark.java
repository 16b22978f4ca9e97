package dev.viz.benchmarks;

import dev.viz.core.Batcher;
import dev.viz.core.Compressor;
import dev.viz.core.batch.FrameBatcher;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The parts alone, per batch of 8 frames of 160 bytes (one default datagram): the batcher (append 8
 * and flush; read), the compressor (compress; decompress) and the AEAD (encrypt; decrypt). The frame
 * bytes are random, which is what Opus output looks like to a compressor.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PartsBenchmark {
    private static final int FRAMES = 8;
    private static final int FRAME_BYTES = 160;

    @Param({"none", "zstd"})
    public String compressor;

    private final byte[] frames = new byte[FRAMES * FRAME_BYTES];
    private final byte[] payload = new byte[1400];
    private final byte[] compressed = new byte[1400];
    private final byte[] restored = new byte[1400];
    private final byte[] cipher = new byte[1400 + Aead.TAG_BYTES];
    private final byte[] header = new byte[SendPath.HEADER_BYTES];
    private FrameBatcher sender;
    private FrameBatcher receiver;
    private Compressor codecCompressor;
    private Aead aead;
    private int payloadBytes;
    private int compressedBytes;
    private int cipherBytes;
    private long sequence;
    private Blackhole blackhole;
    private final Batcher.FrameHandler handler = (seq, buffer, offset, length) -> blackhole.consume(length);

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        new SplittableRandom(42).nextBytes(frames);
        sender = new FrameBatcher();
        sender.open(Speech.FORMAT, FRAMES, 1400, Codecs.compressor(compressor));
        receiver = new FrameBatcher();
        receiver.open(Speech.FORMAT, FRAMES, 1400, Codecs.compressor(compressor));
        codecCompressor = Codecs.compressor(compressor);
        aead = new Aead((byte) 3);
        payloadBytes = batch();
        compressedBytes = codecCompressor.compress(payload, 0, payloadBytes, compressed, 0, compressed.length);
        cipherBytes = aead.encrypt(7, header, header.length, payload, payloadBytes, cipher);
    }

    @Benchmark
    public int batcherAppendFlush() {
        return batch();
    }

    private int batch() {
        for (int i = 0; i < FRAMES; i++) {
            sender.append(sequence++, frames, i * FRAME_BYTES, FRAME_BYTES);
        }
        return sender.flush(payload, 0);
    }

    @Benchmark
    public int batcherRead() {
        return receiver.read(payload, 0, payloadBytes, handler);
    }

    @Benchmark
    public int compress() {
        return codecCompressor.compress(payload, 0, payloadBytes, compressed, 0, compressed.length);
    }

    @Benchmark
    public int decompress() {
        return codecCompressor.decompress(compressed, 0, compressedBytes, restored, 0, restored.length);
    }

    @Benchmark
    public int aeadEncrypt() {
        return aead.encrypt(sequence++, header, header.length, payload, payloadBytes, cipher);
    }

    @Benchmark
    public int aeadDecrypt() {
        return aead.decrypt(7, header, header.length, cipher, cipherBytes, restored);
    }
}
