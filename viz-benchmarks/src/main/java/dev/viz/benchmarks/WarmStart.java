package dev.viz.benchmarks;

import dev.viz.core.Codec;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The warm-start check: in a fresh JVM, encodes (and decodes) the test speech paced like a live call,
 * one 40 ms frame every 40 ms, for the first seconds of a call, and reports the encode time of every
 * frame. Run once per configuration, each in its own JVM, so the JIT starts cold every time:
 *
 * <pre>
 * java -cp benchmarks.jar dev.viz.benchmarks.WarmStart concentus cold 5
 * java -cp benchmarks.jar dev.viz.benchmarks.WarmStart concentus warm 5
 * java -cp benchmarks.jar dev.viz.benchmarks.WarmStart native cold 5
 * </pre>
 *
 * <p>{@code warm} calls {@link Codec#warmUp()} before the first frame and reports how long it took;
 * {@code cold} does not. The target: no frame over 20 ms in the first 5 s.
 */
public final class WarmStart {
    private WarmStart() {
    }

    public static void main(String[] args) {
        String codecName = args.length > 0 ? args[0] : "concentus";
        boolean warm = args.length > 1 && args[1].equals("warm");
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 5;

        Speech speech = Speech.continuous();
        Codec codec = Codecs.codec(codecName);
        codec.open(Speech.FORMAT);
        long warmUpNs = 0;
        if (warm) {
            long t0 = System.nanoTime();
            codec.warmUp();
            warmUpNs = System.nanoTime() - t0;
        }
        byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
        short[] pcm = new short[Speech.FORMAT.frameSamples()];
        int frames = seconds * 1000 / Speech.FORMAT.frameMs();
        long[] encodeNs = new long[frames];
        long[] decodeNs = new long[frames];
        Histogram encodeHistogram = new Histogram(3_600_000_000_000L, 3);
        long frameNs = Speech.FORMAT.frameNs();
        long next = System.nanoTime();
        for (int f = 0; f < frames; f++) {
            long waitNs = next - System.nanoTime();
            if (waitNs > 0) {
                LockSupport.parkNanos(waitNs);
            }
            next += frameNs;
            long t0 = System.nanoTime();
            int length = codec.encode(speech.samples(), speech.nextFrameOffset(), packet, 0, packet.length);
            long t1 = System.nanoTime();
            codec.decode(packet, 0, Math.max(length, 0), pcm, 0);
            long t2 = System.nanoTime();
            encodeNs[f] = t1 - t0;
            decodeNs[f] = t2 - t1;
            encodeHistogram.recordValue(encodeNs[f]);
        }
        int over20 = 0;
        long maxNs = 0;
        int maxAt = 0;
        long maxDecodeNs = 0;
        for (int f = 0; f < frames; f++) {
            if (encodeNs[f] > 20_000_000L) {
                over20++;
            }
            if (encodeNs[f] > maxNs) {
                maxNs = encodeNs[f];
                maxAt = f;
            }
            maxDecodeNs = Math.max(maxDecodeNs, decodeNs[f]);
        }
        StringBuilder first = new StringBuilder();
        for (int f = 0; f < Math.min(10, frames); f++) {
            first.append(String.format(Locale.ROOT, "%.2f ", encodeNs[f] / 1e6));
        }
        System.out.printf(Locale.ROOT, "codec=%s start=%s frames=%d (%d s paced at %d ms)%n", codec.name(),
                warm ? "warm" : "cold", frames, seconds, Speech.FORMAT.frameMs());
        System.out.printf(Locale.ROOT, "warm-up took %.0f ms%n", warmUpNs / 1e6);
        System.out.printf(Locale.ROOT, "encode ms: median %.2f, p99 %.2f, max %.2f (frame %d), mean %.2f; frames over 20 ms: %d%n",
                encodeHistogram.getValueAtPercentile(50) / 1e6, encodeHistogram.getValueAtPercentile(99) / 1e6,
                maxNs / 1e6, maxAt, encodeHistogram.getMean() / 1e6, over20);
        System.out.printf(Locale.ROOT, "decode ms: max %.2f%n", maxDecodeNs / 1e6);
        System.out.println("first 10 encodes (ms): " + first.toString().trim());
    }
}
