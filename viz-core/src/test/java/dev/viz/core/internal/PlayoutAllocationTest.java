package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Stat;
import dev.viz.core.testing.TestAudio;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The playout is on the hot path: after warm-up, thousands of frames through it (in order, out of
 * order, late, duplicated, lost and concealed, rebuilt from copies and FEC, with jitter that makes
 * it stretch and shrink) must allocate nothing. The measure is under 1 byte per frame on average,
 * as in {@link HotPathAllocationTest}: the JVM itself now and then allocates a few hundred bytes on
 * the thread (when it deoptimizes and recompiles), at moments that vary from run to run, while any
 * allocation of the playout's own would cost at least 16 bytes every frame. Alone, it measures 0.
 */
class PlayoutAllocationTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldAllocateNothingPerFrame() {
        measure(false);
    }

    /** Over a stream the playout also drops bunched datagrams' offsets and waits out stalls: still nothing allocated. */
    @Test
    void shouldAllocateNothingPerFrameOverAStream() {
        measure(true);
    }

    private static void measure(boolean stream) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot measure allocation per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
        PlayoutDriver d = new PlayoutDriver(40, TestAudio.samples(TestAudio.SPEECH_WITH_GAPS), 20 * MS, 1500 * MS, stream);
        d.encoder.expectLoss(5);
        Random random = new Random(5);
        long[] jitter = new long[20_000];
        for (int i = 0; i < jitter.length; i++) {
            jitter[i] = (long) (random.nextDouble() * 120 * MS);
        }
        int[] fate = new int[20_000 * 8];
        for (int i = 0; i < fate.length; i++) {
            fate[i] = random.nextInt(100);
        }
        run(d, 0, 2_000, jitter, fate);
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        run(d, 2_000, 12_000, jitter, fate);
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        long slots = d.playout.slots();
        System.out.println("playout" + (stream ? " over a stream: " : ": ") + allocated + " bytes allocated over " + slots + " slots after warm-up; stretched "
                + d.get(Stat.STRETCHED_MS) + " ms, shrunk " + d.get(Stat.SHRUNK_MS) + " ms, late "
                + d.get(Stat.FRAMES_LATE) + ", recovered " + d.get(Stat.FRAMES_RECOVERED));
        long measured = slots - 16_000;
        assertTrue(allocated < measured, allocated + " bytes allocated in " + measured + " slots");
    }

    /** Batches {@code from} to {@code to}, each with random jitter; 3 % of frames lost, 2 % doubled, 5 % come as copies too. */
    private static void run(PlayoutDriver d, int from, int to, long[] jitter, int[] fate) {
        for (int b = from; b < to; b++) {
            long first = 8L * b;
            long sentNs = (first + 8) * 40 * MS;
            long at = sentNs + jitter[b];
            for (int i = 0; i < 8; i++) {
                int f = fate[(int) (first + i)];
                if (f < 3) {
                    continue;
                }
                d.arrive(first + i, at, EncodedFrame.FLAG_TIMED | EncodedFrame.FLAG_FEC);
                if (f < 5) {
                    d.arrive(first + i, at, EncodedFrame.FLAG_TIMED | EncodedFrame.FLAG_FEC);
                } else if (f < 10 && i < 7) {
                    d.arrive(first + i + 1, at, EncodedFrame.FLAG_REDUNDANT);
                }
            }
            d.runDeviceUntil(at, 0);
        }
    }
}
