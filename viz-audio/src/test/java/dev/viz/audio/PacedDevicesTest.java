package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A paced device blocked on a long transfer is released by close() at once, not when the audio is due. */
class PacedDevicesTest {
    private static final AudioFormat FORMAT = AudioFormat.mono48k(40);
    /** One read or write of 30 s of audio: without unblocking it would take that long. */
    private static final int LONG_SAMPLES = 48_000 * 30;

    @TempDir
    Path dir;

    private AudioDevice device(String kind) throws IOException {
        return switch (kind) {
            case "wav-in" -> new WavFileInput(TestWavs.tone(dir.resolve("in.wav"), 48_000, 1, 16, 440, 40_000));
            case "wav-out" -> new WavFileOutput(dir.resolve("out.wav"));
            case "tone" -> new ToneInput(440);
            case "silence" -> new SilenceInput();
            default -> new NullOutput();
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"wav-in", "wav-out", "tone", "silence", "null"})
    void shouldReleaseABlockedTransferOnClose(String kind) throws Exception {
        AudioDevice device = device(kind);
        boolean input = device.supports(AudioDevice.Direction.INPUT);
        device.open(input ? AudioDevice.Direction.INPUT : AudioDevice.Direction.OUTPUT, FORMAT);
        short[] pcm = new short[LONG_SAMPLES];
        if (!input) {
            // An output takes a block at once and holds the next one until that block has played:
            // 30 s here, so the write below waits that long (with one frame first it would wait one
            // frame only, a window a loaded machine's test thread can miss).
            device.write(pcm, 0, pcm.length);
        }
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            thread.complete(Thread.currentThread());
            try {
                if (input) {
                    device.read(pcm, 0, pcm.length);
                } else {
                    device.write(pcm, 0, FORMAT.frameSamples());
                }
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread blocked = thread.get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (blocked.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.TIMED_WAITING, blocked.getState(), kind + " should be waiting for its time");
        long closeNs = System.nanoTime();
        device.close();
        Throwable result = outcome.get(2, TimeUnit.SECONDS);
        long releasedMs = (System.nanoTime() - closeNs) / 1_000_000;
        System.out.printf("%s: a 30 s transfer released %d ms after close()%n", kind, releasedMs);
        assertTrue(result instanceof IOException, kind + ": the transfer ends with an IOException, got " + result);
    }
}
