package dev.viz.audio.portaudio;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Plays a tone (or silence) on one device while capturing from another, as a call's playback and
 * capture threads would: each device on its own thread, paced by the device.
 */
public final class PlayAndCapture {
    public static final AudioFormat FORMAT = AudioFormat.mono48k(40);
    /** Peak of the test tone: half of full scale, so a magnitude of 0.5 is the whole tone. */
    public static final int AMPLITUDE = 16384;

    private PlayAndCapture() {
    }

    /**
     * Opens {@code input} then {@code output}, plays {@code playMs} of {@code toneHz} (0 for
     * silence) while capturing {@code captureMs}, and closes both.
     */
    public static short[] run(AudioDevice output, AudioDevice input, double toneHz, int playMs, int captureMs)
            throws Exception {
        input.open(AudioDevice.Direction.INPUT, FORMAT);
        try {
            output.open(AudioDevice.Direction.OUTPUT, FORMAT);
            try {
                return runOpen(output, input, toneHz, playMs, captureMs);
            } finally {
                output.close();
            }
        } finally {
            input.close();
        }
    }

    /** Like {@link #run} on devices the caller opened and will close. */
    public static short[] runOpen(AudioDevice output, AudioDevice input, double toneHz, int playMs, int captureMs)
            throws Exception {
        int frame = FORMAT.frameSamples();
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            short[] pcm = new short[frame];
            long n = 0;
            try {
                for (int done = 0; done < playMs; done += FORMAT.frameMs()) {
                    n = toneHz > 0 ? ToneDetector.sine(pcm, n, toneHz, FORMAT.sampleRateHz(), AMPLITUDE) : n;
                    output.write(pcm, 0, frame);
                }
            } catch (IOException | RuntimeException e) {
                writeFailure.set(e);
            }
        }, "test-playback");
        short[] captured = new short[captureMs * FORMAT.sampleRateHz() / 1000 / frame * frame];
        writer.start();
        try {
            for (int offset = 0; offset < captured.length; offset += frame) {
                input.read(captured, offset, frame);
            }
        } finally {
            writer.join(10_000);
        }
        if (writer.isAlive()) {
            throw new AssertionError("the playback thread is still blocked in write after 10 s");
        }
        if (writeFailure.get() != null) {
            throw new AssertionError("playback failed: " + writeFailure.get(), writeFailure.get());
        }
        return captured;
    }

    /** What {@link #runKillingPlayback} saw. */
    public record KillRun(short[] captured, int killedAtSample, List<String> failures, int reopens) {
    }

    /**
     * Plays a tone for {@code playMs} on {@code output} and, {@code killAtMs} into the capture, has
     * the sound server kill this process's playback stream ({@code pacmd kill-sink-input}). The
     * playback thread reacts as the session does: on an {@link IOException} it closes the device
     * and reopens it with backoff (0.1 s doubling, 10 tries).
     */
    public static KillRun runKillingPlayback(AudioDevice output, AudioDevice input, double toneHz, int playMs,
            int killAtMs) throws Exception {
        int frame = FORMAT.frameSamples();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger reopens = new AtomicInteger();
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        input.open(AudioDevice.Direction.INPUT, FORMAT);
        output.open(AudioDevice.Direction.OUTPUT, FORMAT);
        Thread writer = new Thread(() -> {
            short[] pcm = new short[frame];
            long n = 0;
            try {
                for (int done = 0; done < playMs; done += FORMAT.frameMs()) {
                    n = ToneDetector.sine(pcm, n, toneHz, FORMAT.sampleRateHz(), AMPLITUDE);
                    try {
                        output.write(pcm, 0, frame);
                    } catch (IOException gone) {
                        failures.add(gone.getMessage());
                        output.close();
                        reopenWithBackoff(output, failures);
                        reopens.incrementAndGet();
                    }
                }
            } catch (IOException | RuntimeException e) {
                writeFailure.set(e);
            }
        }, "test-playback");
        short[] captured = new short[(playMs + 500) * FORMAT.sampleRateHz() / 1000 / frame * frame];
        int killAt = killAtMs * FORMAT.sampleRateHz() / 1000;
        boolean killed = false;
        writer.start();
        try {
            for (int offset = 0; offset < captured.length; offset += frame) {
                input.read(captured, offset, frame);
                if (!killed && offset >= killAt) {
                    List<Integer> own = SoundServer.ownSinkInputs();
                    if (own.size() != 1) {
                        throw new AssertionError("expected one playback stream of this JVM, found " + own);
                    }
                    SoundServer.pacmd("kill-sink-input", Integer.toString(own.get(0)));
                    killed = true;
                }
            }
        } finally {
            writer.join(15_000);
            output.close();
            input.close();
        }
        if (writer.isAlive()) {
            throw new AssertionError("the playback thread is still blocked after 15 s");
        }
        if (writeFailure.get() != null) {
            throw new AssertionError("playback failed: " + writeFailure.get() + " after " + failures,
                    writeFailure.get());
        }
        return new KillRun(captured, killAt, failures, reopens.get());
    }

    private static void reopenWithBackoff(AudioDevice output, List<String> failures) throws IOException {
        long backoffNs = 100_000_000L;
        for (int attempt = 1; ; attempt++) {
            try {
                output.open(AudioDevice.Direction.OUTPUT, FORMAT);
                return;
            } catch (IOException e) {
                failures.add("reopen " + attempt + ": " + e.getMessage());
                if (attempt == 10) {
                    throw e;
                }
                LockSupport.parkNanos(backoffNs);
                backoffNs = Math.min(backoffNs * 2, 2_000_000_000L);
            }
        }
    }

    /**
     * Bytes the calling thread allocated in each of {@code rounds} rounds of 100 writes and 100
     * reads of 10 ms frames on open devices (a call's steady state, sped up). Not a timing.
     */
    public static long[] allocatedBytesPerRound(AudioDevice output, AudioDevice input, int rounds) throws IOException {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        short[] pcm = new short[480];
        long[] bytes = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 100; i++) {
                output.write(pcm, 0, pcm.length);
                input.read(pcm, 0, pcm.length);
            }
            bytes[r] = threads.getThreadAllocatedBytes(thread) - before;
        }
        return bytes;
    }

    /** What {@link #runFollowingTheDefault} saw: the last reopen's failure and the tone on the monitor. */
    public record FollowRun(String firstFailure, ToneDetector.Scan tone) {
    }

    /**
     * The hot-plug scenario every backend's test runs: {@code out} (a device on the null sink loaded
     * as {@code module}) opens once and closes; the sink is unloaded; {@code failuresBefore} reopens
     * must fail; the next must open (on the default, the backend's reopener decides), and a tone
     * played on it must reach {@code monitor}. The caller checks its backend's counters.
     */
    public static FollowRun runFollowingTheDefault(AudioDevice out, AudioDevice monitor, int module, int failuresBefore,
            double toneHz, double threshold) throws Exception {
        boolean unloaded = false;
        String firstFailure = null;
        try {
            out.open(AudioDevice.Direction.OUTPUT, FORMAT);
            out.close();
            SoundServer.pactl("unload-module", Integer.toString(module));
            unloaded = true;
            for (int attempt = 1; attempt <= failuresBefore; attempt++) {
                try {
                    out.open(AudioDevice.Direction.OUTPUT, FORMAT);
                    throw new AssertionError("reopen " + attempt + " of the unloaded sink succeeded");
                } catch (IOException missing) {
                    firstFailure = firstFailure == null ? missing.getMessage() : firstFailure;
                }
            }
            out.open(AudioDevice.Direction.OUTPUT, FORMAT);
            monitor.open(AudioDevice.Direction.INPUT, FORMAT);
            short[] captured = runOpen(out, monitor, toneHz, 1500, 2000);
            return new FollowRun(firstFailure, ToneDetector.scan(captured, toneHz, FORMAT.sampleRateHz(), threshold));
        } finally {
            out.close();
            monitor.close();
            if (!unloaded) {
                SoundServer.pactl("unload-module", Integer.toString(module));
            }
        }
    }
}
