package dev.viz.benchmarks;

import dev.viz.audio.opus.nativelib.NativeOpusCodec;
import dev.viz.core.Codec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The baselines: the bare codecs, called directly, encoding and decoding one 40 ms frame of the test
 * speech at Viz's settings. Concentus (pure Java) and native libopus side by side.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class CodecBenchmark {
    private Speech speech;
    private BareConcentus concentus;
    private NativeOpusCodec nativeOpus;
    private final byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
    private final short[] pcm = new short[Speech.FORMAT.frameSamples()];

    @Setup(Level.Trial)
    public void setUp() {
        speech = Speech.continuous();
        concentus = new BareConcentus(32_000, Speech.FORMAT.frameSamplesPerChannel());
        nativeOpus = new NativeOpusCodec(32_000);
        nativeOpus.open(Speech.FORMAT);
    }

    @Benchmark
    public int concentusEncode() {
        return concentus.encode(speech.samples(), speech.nextFrameOffset(), packet);
    }

    @Benchmark
    public int concentusEncodeDecode() {
        int length = concentus.encode(speech.samples(), speech.nextFrameOffset(), packet);
        return concentus.decode(packet, length, pcm);
    }

    @Benchmark
    public int nativeEncode() {
        return nativeOpus.encode(speech.samples(), speech.nextFrameOffset(), packet, 0, packet.length);
    }

    @Benchmark
    public int nativeEncodeDecode() {
        int length = nativeOpus.encode(speech.samples(), speech.nextFrameOffset(), packet, 0, packet.length);
        return nativeOpus.decode(packet, 0, length, pcm, 0);
    }
}
