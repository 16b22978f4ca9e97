package dev.viz.audio.portaudio;

import dev.viz.audio.javasound.JavaSoundBackend;
import dev.viz.audio.javasound.JavaSoundDevice;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures the latency a backend adds, on the real sound server: a click is written to the
 * output (the sink {@code viz_out}) in a 40 ms frame, as the session writes, and found again in a
 * capture of the sink's monitor. Latency is the time from the start of the {@code write} call that
 * carries the click to the moment the capture delivered the click's first sample (the time the
 * {@code read} returned, less the samples that followed the click in that read). So it is output
 * and capture together: what one machine's speaker-to-microphone path adds, less the air.
 *
 * <p>Not a test (no timing in unit tests): run it by hand, with the sound server's environment,
 * <pre>
 *   source /tmp/viz-audio/env.sh
 *   mvn -q -o test-compile exec:java -pl viz-audio -Dexec.classpathScope=test \
 *       -Dexec.mainClass=dev.viz.audio.portaudio.DeviceLatencyHarness [-Dexec.args="portaudio 20 javasound 60"]
 * </pre>
 * Arguments: pairs of backend and buffer (PortAudio's suggested latency, Java Sound's line
 * buffer, in ms; 0 for the default), as {@code MS} for both directions or {@code OUT/IN}. It prints the median, spread and xruns of 25 clicks per configuration.
 */
public final class DeviceLatencyHarness {
    private static final AudioFormat FORMAT = AudioFormat.mono48k(40);
    private static final int CLICKS = 25;
    private static final int FRAMES_BETWEEN_CLICKS = 10;
    private static final int WARM_UP_FRAMES = 25;
    private static final int CLICK_SAMPLES = 96;
    private static final int DETECT_THRESHOLD = 8000;

    private DeviceLatencyHarness() {
    }

    public static void main(String[] args) throws Exception {
        String[] plan = args.length > 0 ? args
                : new String[] {"portaudio", "0", "portaudio", "10", "portaudio", "20", "javasound", "0",
                    "javasound", "40", "javasound", "80"};
        System.out.println("backend     buffer  median  min     p90     max     (ms)  xruns out/in  reported");
        for (int i = 0; i + 1 < plan.length; i += 2) {
            String backend = plan[i];
            String buffers = plan[i + 1];
            int slash = buffers.indexOf('/');
            int outMs = Integer.parseInt(slash < 0 ? buffers : buffers.substring(0, slash));
            int inMs = slash < 0 ? outMs : Integer.parseInt(buffers.substring(slash + 1));
            AudioDevice out;
            AudioDevice in;
            if (backend.equals("portaudio")) {
                out = PortAudioBackend.system().device("viz_speaker", false, PortAudioDevice.SampleFormat.INT16, outMs);
                in = PortAudioBackend.system().device("viz_loopback", true, PortAudioDevice.SampleFormat.INT16, inMs);
            } else {
                out = JavaSoundBackend.system().device("default", false, outMs);
                in = JavaSoundBackend.system().device("default", true, inMs);
            }
            double[] latenciesMs = measure(out, in);
            Arrays.sort(latenciesMs);
            String reported = out instanceof PortAudioDevice p
                    ? String.format("PortAudio out %.1f, in %.1f ms", p.reportedLatencyMs(),
                            ((PortAudioDevice) in).reportedLatencyMs())
                    : String.format("line buffers out %d, in %d ms", ((JavaSoundDevice) out).lineBufferMs(),
                            ((JavaSoundDevice) in).lineBufferMs());
            System.out.printf("%-11s %7s %6.1f  %6.1f  %6.1f  %6.1f        %d/%d       %s (%d clicks)%n", backend,
                    buffers, percentile(latenciesMs, 50), latenciesMs[0], percentile(latenciesMs, 90),
                    latenciesMs[latenciesMs.length - 1], out.xruns(), in.xruns(), reported, latenciesMs.length);
        }
    }

    private static double percentile(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.round((sorted.length - 1) * p / 100.0))];
    }

    private static double[] measure(AudioDevice out, AudioDevice in) throws Exception {
        int frame = FORMAT.frameSamples();
        long[] clickWriteNs = new long[CLICKS];
        AtomicLong clicksWritten = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        in.open(AudioDevice.Direction.INPUT, FORMAT);
        out.open(AudioDevice.Direction.OUTPUT, FORMAT);
        int totalFrames = WARM_UP_FRAMES + CLICKS * FRAMES_BETWEEN_CLICKS + 10;
        Thread writer = new Thread(() -> {
            short[] silence = new short[frame];
            short[] click = new short[frame];
            for (int i = 0; i < CLICK_SAMPLES; i++) {
                click[i] = (short) (i < 12 ? 30000 : 30000 * Math.sin(2 * Math.PI * 1000 * i / FORMAT.sampleRateHz()));
            }
            try {
                for (int f = 0; f < totalFrames; f++) {
                    int k = f - WARM_UP_FRAMES;
                    if (k >= 0 && k % FRAMES_BETWEEN_CLICKS == 0 && k / FRAMES_BETWEEN_CLICKS < CLICKS) {
                        clickWriteNs[k / FRAMES_BETWEEN_CLICKS] = System.nanoTime();
                        clicksWritten.incrementAndGet();
                        out.write(click, 0, frame);
                    } else {
                        out.write(silence, 0, frame);
                    }
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }, "latency-writer");
        double[] latenciesMs = new double[CLICKS];
        int found = 0;
        short[] pcm = new short[frame];
        writer.start();
        try {
            boolean inClick = false;
            int quietSamples = 0;
            for (int f = 0; f < totalFrames + 20 && found < CLICKS; f++) {
                in.read(pcm, 0, frame);
                long returnedNs = System.nanoTime();
                for (int i = 0; i < frame; i++) {
                    boolean loud = Math.abs(pcm[i]) > DETECT_THRESHOLD;
                    if (loud && !inClick && found < clicksWritten.get()) {
                        long arrivedNs = returnedNs - (frame - i) * 1_000_000_000L / FORMAT.sampleRateHz();
                        latenciesMs[found] = (arrivedNs - clickWriteNs[found]) / 1e6;
                        found++;
                    }
                    if (loud) {
                        inClick = true;
                        quietSamples = 0;
                    } else if (++quietSamples >= FORMAT.sampleRateHz() / 100) {
                        inClick = false; // 10 ms of quiet: the click is over
                    }
                }
            }
        } finally {
            writer.join(10_000);
            out.close();
            in.close();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("writer failed", failure.get());
        }
        return Arrays.copyOf(latenciesMs, found);
    }
}
