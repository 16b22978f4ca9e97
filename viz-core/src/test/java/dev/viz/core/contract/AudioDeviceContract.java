package dev.viz.core.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioDevice.Direction;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AudioDevice} must do, for one direction. Extend it with a concrete test that
 * supplies a device; a device that serves both directions gets one concrete test per direction.
 *
 * <p>The pacing test measures elapsed time over 25 frames with a generous bound: it checks that a
 * paced device paces at all, it is not a benchmark.
 */
public abstract class AudioDeviceContract {
    private static final long UNBLOCK_TIMEOUT_MS = 2_000;

    /** A new, unopened device, as users get it. */
    protected abstract AudioDevice newDevice() throws Exception;

    /** The direction under test. */
    protected abstract Direction direction();

    /** Whether {@link #newDevice()} paces itself in real time. */
    protected abstract boolean paced();

    /** Frames a finite input delivers before {@link AudioDevice#END_OF_STREAM}; -1 for an endless one. */
    protected long expectedFrames() {
        return -1;
    }

    /**
     * An output's samples as it played them, in order, read back after {@link AudioDevice#close()};
     * null (the default) when the test cannot know, as with a sound card.
     */
    protected short[] played(AudioDevice device) throws Exception {
        return null;
    }

    /** Samples an output has taken so far (all channels), or -1 (the default) when the device does not say. */
    protected long samplesTaken(AudioDevice device) {
        return -1;
    }

    /** The format the tests open the device at. */
    protected AudioFormat format() {
        return AudioFormat.mono48k(40);
    }

    /** One frame in the direction under test; returns what read returned (samples for an output). */
    private int transfer(AudioDevice device, short[] pcm) throws IOException {
        if (direction() == Direction.INPUT) {
            return device.read(pcm, 0, pcm.length);
        }
        device.write(pcm, 0, pcm.length);
        return pcm.length;
    }

    private short[] frame() {
        short[] pcm = new short[format().frameSamples()];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (1000 * Math.sin(i * 0.05));
        }
        return pcm;
    }

    @Test
    void shouldNameItselfAndSupportItsDirection() throws Exception {
        AudioDevice device = newDevice();
        assertNotNull(device.name());
        assertFalse(device.name().isBlank(), "a name for logs and the status line");
        assertTrue(device.supports(direction()), device.name() + " should support " + direction());
    }

    @Test
    void shouldRefuseToOpenADirectionItDoesNotSupport() throws Exception {
        AudioDevice device = newDevice();
        Direction other = direction() == Direction.INPUT ? Direction.OUTPUT : Direction.INPUT;
        assumeTrue(!device.supports(other), device.name() + " supports both directions");
        IOException e = assertThrows(IOException.class, () -> device.open(other, format()));
        assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "the refusal says why");
        device.close();
    }

    @Test
    void shouldTransferWholeFrames() throws Exception {
        try (AudioDevice device = newDevice()) {
            device.open(direction(), format());
            short[] pcm = frame();
            int frames = (int) (expectedFrames() < 0 ? 5 : Math.min(5, expectedFrames()));
            for (int i = 0; i < frames; i++) {
                assertEquals(pcm.length, transfer(device, pcm), "frame " + i);
            }
        }
    }

    @Test
    void shouldPlayWritesLongerAndShorterThanAFrame() throws Exception {
        // The playout stretches and shrinks audio to follow jitter and clock drift, so an output
        // gets writes of any length, not only whole frames: every sample must be taken, in order,
        // and a paced output must pace by samples, not by calls.
        assumeTrue(direction() == Direction.OUTPUT, "outputs only");
        int frame = format().frameSamples();
        short[] pcm = new short[3 * frame];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (3000 * Math.sin(i * 0.013) + (i % 97));
        }
        int[][] writes = {{0, frame + frame / 4}, {7, frame - frame / 4}, {3, 1}, {0, 2 * frame}, {11, frame}};
        int total = 0;
        for (int[] w : writes) {
            total += w[1];
        }
        short[] expected = new short[total];
        int at = 0;
        for (int[] w : writes) {
            System.arraycopy(pcm, w[0], expected, at, w[1]);
            at += w[1];
        }
        AudioDevice device = newDevice();
        long elapsedMs;
        try {
            device.open(direction(), format());
            long startNs = System.nanoTime();
            for (int[] w : writes) {
                device.write(pcm, w[0], w[1]);
            }
            elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            long taken = samplesTaken(device);
            if (taken >= 0) {
                assertEquals(total, taken, "every sample of every write is taken");
            }
        } finally {
            device.close();
        }
        long samplesPerMs = (long) format().sampleRateHz() * format().channels() / 1000;
        if (paced()) {
            // By the time the last write returns, all but the last write and what the device buffers
            // (at most two frames) has played.
            long mustHavePlayedMs = (total - 3L * frame) / samplesPerMs;
            System.out.printf("%s: %d samples in writes of 0.75 to 2 frames and 1 sample took %d ms (at least %d)%n",
                    device.name(), total, elapsedMs, mustHavePlayedMs);
            assertTrue(elapsedMs >= mustHavePlayedMs * 9 / 10, "paced by samples: " + total + " samples took "
                    + elapsedMs + " ms, at least " + mustHavePlayedMs + " ms expected");
            assertTrue(elapsedMs <= 3 * total / samplesPerMs + 500, "took " + elapsedMs + " ms");
        }
        short[] played = played(device);
        if (played != null) {
            assertArrayEquals(expected, played, "the samples, in the order written");
        }
    }

    @Test
    void shouldCloseIdempotentlyAndReopen() throws Exception {
        AudioDevice device = newDevice();
        device.close();
        device.open(direction(), format());
        short[] pcm = frame();
        assertEquals(pcm.length, transfer(device, pcm));
        device.close();
        device.close();
        device.open(direction(), format());
        assertEquals(pcm.length, transfer(device, pcm), "after reopening");
        device.close();
    }

    @Test
    void shouldFailAfterClose() throws Exception {
        AudioDevice device = newDevice();
        device.open(direction(), format());
        short[] pcm = frame();
        transfer(device, pcm);
        device.close();
        assertThrows(IOException.class, () -> transfer(device, pcm), "read or write after close");
    }

    @Test
    void shouldUnblockAPendingTransferOnClose() throws Exception {
        AudioDevice device = newDevice();
        device.open(direction(), format());
        AtomicInteger transferred = new AtomicInteger();
        CompletableFuture<Throwable> ended = CompletableFuture.supplyAsync(() -> {
            short[] pcm = frame();
            try {
                while (transferred.get() < 1_000_000) {
                    if (transfer(device, pcm) == AudioDevice.END_OF_STREAM) {
                        return null;
                    }
                    transferred.incrementAndGet();
                }
                return null;
            } catch (IOException | RuntimeException e) {
                return e;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (transferred.get() < 2 && System.nanoTime() < deadline && !ended.isDone()) {
            Thread.onSpinWait();
        }
        assertTrue(transferred.get() >= 2, "two frames transferred before close");
        device.close();
        Throwable outcome = ended.get(UNBLOCK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (outcome == null) {
            // An unpaced finite input may reach its end before close: nothing was pending.
            assertTrue(!paced() && expectedFrames() >= 0, "ended without an IOException after close");
            assertEquals(expectedFrames(), transferred.get());
        } else {
            assertTrue(outcome instanceof IOException, "the pending transfer ends with an IOException, got " + outcome);
        }
        device.close();
    }

    @Test
    void shouldPaceInRealTime() throws Exception {
        assumeTrue(paced(), "not paced");
        assumeTrue(expectedFrames() < 0 || expectedFrames() >= 25, "fewer than 25 frames");
        try (AudioDevice device = newDevice()) {
            device.open(direction(), format());
            short[] pcm = frame();
            long startNs = System.nanoTime();
            for (int i = 0; i < 25; i++) {
                assertEquals(pcm.length, transfer(device, pcm));
            }
            long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            long expectedMs = 25L * format().frameMs();
            System.out.printf("%s: 25 frames of %d ms in %d ms%n", device.name(), format().frameMs(), elapsedMs);
            assertTrue(elapsedMs >= expectedMs * 9 / 10 - format().frameMs(),
                    "25 frames took " + elapsedMs + " ms, expected about " + expectedMs);
            assertTrue(elapsedMs <= expectedMs * 3, "25 frames took " + elapsedMs + " ms, expected about " + expectedMs);
        }
    }

    @Test
    void shouldEndAFiniteInputWithEndOfStream() throws Exception {
        assumeTrue(direction() == Direction.INPUT && expectedFrames() >= 0, "not a finite input");
        try (AudioDevice device = newDevice()) {
            device.open(direction(), format());
            short[] pcm = new short[format().frameSamples()];
            long frames = 0;
            int result;
            while ((result = device.read(pcm, 0, pcm.length)) != AudioDevice.END_OF_STREAM) {
                assertEquals(pcm.length, result, "frame " + frames + ": only whole frames before the end");
                frames++;
                assertTrue(frames <= expectedFrames(), "more frames than expected");
            }
            assertEquals(expectedFrames(), frames);
            assertEquals(AudioDevice.END_OF_STREAM, device.read(pcm, 0, pcm.length), "the end stays the end");
            assertEquals(AudioDevice.END_OF_STREAM, device.read(pcm, 0, pcm.length), "the end stays the end");
        }
    }
}
