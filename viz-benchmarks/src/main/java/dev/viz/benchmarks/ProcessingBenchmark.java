package dev.viz.benchmarks;

import dev.viz.audio.processing.ProcessingOptions;
import dev.viz.audio.processing.SpeexProcessor;
import dev.viz.core.AudioFormat;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of speexdsp processing per Viz frame (what was played handed over, then the captured
 * frame processed: echo cancellation, noise suppression, gain control, voice activity) next to the
 * cost of encoding the same frame with Concentus, the default encoder. The captured audio is the
 * test speech played 80 ms earlier at -6 dB (an echo) so the canceller works as in a call.
 *
 * <pre>
 * java -jar viz-benchmarks/target/benchmarks.jar ProcessingBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class ProcessingBenchmark {
    @Param({"20", "40"})
    public int frameMs;

    @Param({"aec+ns+agc+vad", "ns+agc"})
    public String processing;

    private short[] far;
    private short[] mic;
    private short[] frame;
    private int frameSamples;
    private int frames;
    private int next;
    private SpeexProcessor processor;
    private BareConcentus concentus;
    private final byte[] packet = new byte[1500];

    @Setup(Level.Trial)
    public void setUp() {
        far = Speech.continuous().samples();
        int delay = 48 * 80;
        mic = new short[far.length];
        for (int i = delay; i < far.length; i++) {
            mic[i] = (short) (far[i - delay] / 2);
        }
        AudioFormat format = AudioFormat.mono48k(frameMs);
        frameSamples = format.frameSamples();
        frames = far.length / frameSamples;
        frame = new short[frameSamples];
        ProcessingOptions options = ProcessingOptions.builder()
                .echoCancellation(processing.contains("aec"))
                .noiseSuppression(processing.contains("ns"))
                .gainControl(processing.contains("agc"))
                .voiceActivity(processing.contains("vad"))
                .build();
        processor = new SpeexProcessor(options);
        processor.open(format);
        concentus = new BareConcentus(32_000, format.frameSamplesPerChannel());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        processor.close();
    }

    /** One frame: what was played, then the captured frame processed in place. */
    @Benchmark
    public int process() {
        int at = next * frameSamples;
        next = next + 1 == frames ? 0 : next + 1;
        processor.played(far, at, frameSamples, 0);
        System.arraycopy(mic, at, frame, 0, frameSamples);
        return processor.process(frame, 0, 0);
    }

    /** The same frame encoded by Concentus at 32 kbit/s (the baseline the processing is compared with). */
    @Benchmark
    public int encode() {
        int at = next * frameSamples;
        next = next + 1 == frames ? 0 : next + 1;
        return concentus.encode(mic, at, packet);
    }
}
