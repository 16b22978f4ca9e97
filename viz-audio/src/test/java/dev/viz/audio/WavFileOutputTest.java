package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.testing.TestAudio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recordings are valid WAV files with the right header, whenever and however the call ends. */
class WavFileOutputTest {
    private static final AudioFormat FORMAT = AudioFormat.mono48k(40);

    @TempDir
    Path dir;

    private static void writeAll(AudioDevice output, short[] pcm, int frames) throws IOException {
        int frame = FORMAT.frameSamples();
        for (int i = 0; i < frames; i++) {
            output.write(pcm, i * frame, frame);
        }
    }

    @Test
    void shouldWriteAWavFileJavaSoundReadsBackExactly() throws Exception {
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        int frames = speech.length / FORMAT.frameSamples();
        Path file = dir.resolve("call.wav");
        WavFileOutput output = WavFileOutput.unpaced(file);
        output.open(AudioDevice.Direction.OUTPUT, FORMAT);
        writeAll(output, speech, frames);
        output.close();

        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            javax.sound.sampled.AudioFormat f = in.getFormat();
            assertEquals(48_000f, f.getSampleRate());
            assertEquals(1, f.getChannels());
            assertEquals(16, f.getSampleSizeInBits());
            assertEquals(frames * FORMAT.frameSamples(), in.getFrameLength());
        }
        assertArrayEquals(Arrays.copyOf(speech, frames * FORMAT.frameSamples()), TestAudio.samples(file));
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file), 0, 44).order(ByteOrder.LITTLE_ENDIAN);
        long dataBytes = frames * FORMAT.frameSamples() * 2L;
        assertEquals(36 + dataBytes, header.getInt(4) & 0xFFFFFFFFL, "RIFF size");
        assertEquals(dataBytes, header.getInt(40) & 0xFFFFFFFFL, "data size");
        assertEquals(44 + dataBytes, Files.size(file));
    }

    @Test
    void shouldKeepTheHeaderCurrentWhileRecording() throws Exception {
        Path file = dir.resolve("live.wav");
        WavFileOutput output = WavFileOutput.unpaced(file);
        output.open(AudioDevice.Direction.OUTPUT, FORMAT);
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        writeAll(output, speech, 60); // 2.4 s, not closed: as if the process died now
        try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
            long frames = in.getFrameLength();
            System.out.printf("readable while recording: %d of %d samples%n", frames, 60 * FORMAT.frameSamples());
            assertTrue(frames >= 48_000 && frames <= 60 * FORMAT.frameSamples(), "samples described: " + frames);
        }
        output.close();
    }

    @Test
    void shouldFinishTheHeaderWhenClosedFromAnotherThreadMidCall() throws Exception {
        Path file = dir.resolve("abrupt.wav");
        WavFileOutput output = new WavFileOutput(file);
        output.open(AudioDevice.Direction.OUTPUT, FORMAT);
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Throwable> playback = CompletableFuture.supplyAsync(() -> {
            short[] frame = new short[FORMAT.frameSamples()];
            Arrays.fill(frame, (short) 1234);
            try {
                while (true) {
                    output.write(frame, 0, frame.length);
                    written.incrementAndGet();
                }
            } catch (IOException e) {
                return e;
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (written.get() < 5 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        output.close();
        assertTrue(playback.get(2, TimeUnit.SECONDS) instanceof IOException);
        short[] samples = TestAudio.samples(file);
        assertEquals(written.get() * FORMAT.frameSamples(), samples.length, "every frame written is in the header");
        for (short s : samples) {
            assertEquals(1234, s);
        }
    }

    @Test
    void shouldReplaceTheFileWhenReopened() throws Exception {
        Path file = dir.resolve("twice.wav");
        WavFileOutput output = WavFileOutput.unpaced(file);
        short[] frame = new short[FORMAT.frameSamples()];
        output.open(AudioDevice.Direction.OUTPUT, FORMAT);
        writeAll(output, new short[10 * frame.length], 10);
        output.close();
        output.open(AudioDevice.Direction.OUTPUT, FORMAT);
        writeAll(output, frame, 1);
        output.close();
        assertEquals(frame.length, TestAudio.samples(file).length);
        assertThrows(IOException.class, () -> output.write(frame, 0, frame.length));
    }
}
