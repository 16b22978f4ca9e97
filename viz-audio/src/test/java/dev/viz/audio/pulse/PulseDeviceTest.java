package dev.viz.audio.pulse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.audio.portaudio.PlayAndCapture;
import dev.viz.audio.portaudio.SoundServer;
import dev.viz.audio.portaudio.ToneDetector;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PulseAudio devices on the real sound server {@code .ci/sound-server.sh} starts: a tone played to
 * a null sink and found in a capture of its monitor, over the server's own protocol.
 */
@Timeout(60)
class PulseDeviceTest {
    private static final double TONE_HZ = 1000;
    private static final double OFF_TONE_HZ = 1500;
    private static final double TONE_THRESHOLD = 0.25;
    private static final double SILENCE_THRESHOLD = 0.01;
    private static final String MONITOR = SoundServer.OUT_SINK + ".monitor";

    @BeforeEach
    void needsTheServer() {
        SoundServer.assumeRunning();
        Assumptions.assumeTrue(PulseBackend.system().isAvailable(),
                () -> "libpulse-simple: " + PulseBackend.system().unavailabilityCause());
    }

    @Test
    void shouldFindA1kHzTonePlayedToTheNullSinkInACaptureOfItsMonitor() throws Exception {
        PulseDevice out = PulseBackend.system().output(SoundServer.OUT_SINK);
        PulseDevice in = PulseBackend.system().input(MONITOR);

        short[] captured = PlayAndCapture.run(out, in, TONE_HZ, 2000, 3000);

        ToneDetector.Scan tone = ToneDetector.scan(captured, TONE_HZ, 48_000, TONE_THRESHOLD);
        ToneDetector.Scan offTone = ToneDetector.scan(captured, OFF_TONE_HZ, 48_000, TONE_THRESHOLD);
        System.out.println("PulseAudio (libpulse " + PulseBackend.system().libraryVersion() + ") tone: 1 kHz " + tone
                + "; 1.5 kHz " + offTone);
        // 2 s of tone in 20 ms windows is 100 windows.
        assertTrue(tone.windowsWithTone() >= 70, tone::toString);
        assertTrue(tone.maxMagnitude() > 0.45 && tone.maxMagnitude() < 0.55, tone::toString);
        assertEquals(0, offTone.windowsWithTone(), offTone::toString);
    }

    @Test
    void shouldFindNothingWhenSilenceIsPlayed() throws Exception {
        short[] captured = PlayAndCapture.run(PulseBackend.system().output(SoundServer.OUT_SINK),
                PulseBackend.system().input(MONITOR), 0, 2000, 3000);

        ToneDetector.Scan tone = ToneDetector.scan(captured, TONE_HZ, 48_000, SILENCE_THRESHOLD);
        assertEquals(0, tone.windowsWithTone(), tone::toString);
    }

    @Test
    void shouldCaptureWhatTheDefaultOutputPlaysThroughTheMonitorInput() throws Exception {
        PulseDevice out = PulseBackend.system().defaultOutput();
        PulseDevice in = PulseBackend.system().monitorInput();

        short[] captured = PlayAndCapture.run(out, in, TONE_HZ, 2000, 3000);

        ToneDetector.Scan tone = ToneDetector.scan(captured, TONE_HZ, 48_000, TONE_THRESHOLD);
        System.out.println("PulseAudio default -> monitor: " + tone + " (input opened " + in.openedDevice() + ")");
        assertTrue(tone.windowsWithTone() >= 70, tone::toString);
    }

    @Test
    void shouldBeTheDefaultBackendWhenTheServerAnswers() throws Exception {
        AudioDevice in = AudioDevices.defaultInput();
        AudioDevice out = AudioDevices.defaultOutput();
        AudioDevice monitor = AudioDevices.parseInput("monitor");

        assertEquals("pulse:default", in.name());
        assertEquals("pulse:default", out.name());
        assertEquals("pulse:monitor", monitor.name());
        assertTrue(AudioDevices.describeDevices().stream().anyMatch(l -> l.startsWith("pulse:default")),
                AudioDevices.describeDevices()::toString);
    }

    @Test
    void shouldListTheServersSourcesAndSinksWithTheDefaultsMarked() throws Exception {
        java.util.List<String> lines = PulseBackend.system().describeDevices();
        String defaultSink = SoundServer.pactl("get-default-sink").strip();
        String defaultSource = SoundServer.pactl("get-default-source").strip();
        System.out.println(String.join("\n", lines));

        assertTrue(lines.stream().anyMatch(l -> l.startsWith("pulse:" + SoundServer.OUT_SINK + " ") && l.contains("(output")),
                lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("pulse:" + MONITOR + " ") && l.contains("(input")),
                lines::toString);
        assertEquals(1, lines.stream().filter(l -> l.contains("(output, the default")).count(), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("pulse:" + defaultSink + " ") && l.contains("(output, the default")),
                () -> defaultSink + " in " + lines);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("pulse:" + defaultSource + " ") && l.contains("(input, the default")),
                () -> defaultSource + " in " + lines);
        // every name listed opens
        for (String line : lines) {
            String id = line.substring(0, line.indexOf(' '));
            if (line.contains("(output")) {
                PulseBackend.system().output(id);
            } else if (line.contains("(input")) {
                PulseBackend.system().input(id);
            }
        }
    }

    @Test
    void shouldSayWhichCommandListsTheNamesWhenTheServerHasNoSuchDevice() {
        IOException sink = assertThrows(IOException.class, () -> PulseBackend.system().output("no-such-speaker"));
        IOException source = assertThrows(IOException.class, () -> PulseBackend.system().input("no-such-mic"));
        IOException monitorOut = assertThrows(IOException.class, () -> PulseBackend.system().output("monitor"));
        System.out.println(sink.getMessage() + "\n" + source.getMessage());

        assertTrue(sink.getMessage().contains("pulse:no-such-speaker") && sink.getMessage().contains("pactl list short sinks"),
                sink.getMessage());
        assertTrue(source.getMessage().contains("pactl list short sources"), source.getMessage());
        assertTrue(monitorOut.getMessage().contains("is an input"), monitorOut.getMessage());
    }

    @Test
    void shouldPlayAgainAfterTheServerKillsTheStreamMidCall() throws Exception {
        PulseDevice out = PulseBackend.system().output(SoundServer.OUT_SINK);
        PulseDevice in = PulseBackend.system().input(MONITOR);

        PlayAndCapture.KillRun run = PlayAndCapture.runKillingPlayback(out, in, TONE_HZ, 4000, 1000);

        short[] afterKill = Arrays.copyOfRange(run.captured(), run.killedAtSample() + 48_000, run.captured().length);
        ToneDetector.Scan tone = ToneDetector.scan(afterKill, TONE_HZ, 48_000, TONE_THRESHOLD);
        System.out.println("PulseAudio stream killed mid-call: " + run.reopens() + " reopen(s) " + run.failures()
                + "; from 1 s after the kill: " + tone);
        assertTrue(run.reopens() >= 1, "the kill was seen as a failed write: " + run.failures());
        assertTrue(tone.windowsWithTone() >= tone.windows() * 6 / 10, tone::toString);
        assertEquals(1 + run.reopens(), out.reopener().opens());
    }

    @Test
    void shouldFollowTheDefaultOutputWhenANamedOneCannotBeOpenedAgain() throws Exception {
        String sink = "viz_test_pulse_hotplug";
        int module = SoundServer.loadNullSink(sink);
        PulseDevice out = PulseBackend.system().output(sink);

        PlayAndCapture.FollowRun run = PlayAndCapture.runFollowingTheDefault(out, PulseBackend.system().input(MONITOR),
                module, PulseDevice.FOLLOW_DEFAULT_AFTER_FAILURES - 1, TONE_HZ, TONE_THRESHOLD);

        System.out.println("following the default (" + out.openedDevice() + ") after '" + run.firstFailure() + "': "
                + run.tone());
        assertTrue(run.firstFailure().contains("no such sink"), run.firstFailure());
        assertEquals(1, out.reopener().defaultsFollowed());
        assertFalse(out.openedDevice().contains(sink), out.openedDevice());
        assertTrue(run.tone().windowsWithTone() >= 45, run.tone()::toString);
    }

    @Test
    void shouldReturnFromABlockedReadWhenClosedFromAnotherThread() throws Exception {
        PulseDevice in = PulseBackend.system().input(MONITOR);
        in.open(AudioDevice.Direction.INPUT, AudioFormat.mono48k(40));
        short[] pcm = new short[AudioFormat.mono48k(40).frameSamples()];
        CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
            try {
                for (int i = 0; i < 1000; i++) {
                    in.read(pcm, 0, pcm.length);
                }
                return "read 40 s without noticing the close";
            } catch (IOException e) {
                return e.getMessage();
            }
        });
        Thread.sleep(300);
        long closedNs = System.nanoTime();
        in.close();

        String ended = reader.get(5, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - closedNs) / 1_000_000;
        System.out.println("read after close: '" + ended + "' " + tookMs + " ms after it");
        assertTrue(ended.contains("closed") || ended.contains("not open"), ended);
        assertTrue(tookMs < 1000, tookMs + " ms");
        in.open(AudioDevice.Direction.INPUT, AudioFormat.mono48k(40));
        try {
            assertEquals(pcm.length, in.read(pcm, 0, pcm.length), "the device opens again after the close");
        } finally {
            in.close();
        }
    }

    @Test
    void shouldReadAndWriteWithoutAllocatingOnceWarm() throws Exception {
        AudioDevice out = PulseBackend.system().output(SoundServer.OUT_SINK);
        AudioDevice in = PulseBackend.system().input(MONITOR);
        in.open(AudioDevice.Direction.INPUT, AudioFormat.mono48k(10));
        out.open(AudioDevice.Direction.OUTPUT, AudioFormat.mono48k(10));
        try {
            // Eight rounds: one of the first four or five still meets a one-time allocation of the
            // warm-up (0.5-1.3 KB, which JFR places under JNA's Memory.getLong).
            long[] bytes = PlayAndCapture.allocatedBytesPerRound(out, in, 8);
            System.out.println("PulseAudio bytes allocated per 100 writes and reads: " + Arrays.toString(bytes)
                    + "; xruns: output " + out.xruns() + ", input " + in.xruns());
            assertEquals(0, bytes[bytes.length - 1], "the last round, once warm: " + Arrays.toString(bytes));
        } finally {
            out.close();
            in.close();
        }
    }

    @Test
    void shouldCountTheUnderflowsOfAnOutputThatRanDry() throws Exception {
        short[] frame = toneFrame();
        PulseDevice out = openedOutput();
        try {
            for (int i = 0; i < 25; i++) {
                out.write(frame, 0, frame.length);
            }
            long playing = out.xruns();
            Thread.sleep(300); // nothing written: the sink plays the stream dry
            for (int i = 0; i < 10; i++) {
                out.write(frame, 0, frame.length);
            }
            long afterGap = out.xruns();
            System.out.println("PulseAudio output underflows: " + playing + " while written, " + afterGap
                    + " after a 300 ms gap");
            assertTrue(afterGap > playing, playing + " then " + afterGap);
        } finally {
            out.close();
        }
        assertTrue(out.xruns() >= 1, "the count outlives the connection: " + out.xruns());
    }

    @Test
    void shouldPlayAndCaptureWithoutALibpulseThread() throws Exception {
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        Assumptions.assumeTrue(java.nio.file.Files.isDirectory(tasks), "needs Linux's /proc to list this process's threads");
        PulseDevice out = PulseBackend.system().output(SoundServer.OUT_SINK);
        PulseDevice in = PulseBackend.system().input(MONITOR);
        AudioFormat format = AudioFormat.mono48k(20);
        short[] frame = new short[format.frameSamples()];
        long before = libpulseThreads(tasks);
        out.open(AudioDevice.Direction.OUTPUT, format);
        in.open(AudioDevice.Direction.INPUT, format);
        try {
            for (int i = 0; i < 10; i++) {
                out.write(frame, 0, frame.length);
                in.read(frame, 0, frame.length);
            }
            long playing = libpulseThreads(tasks);
            System.out.println("libpulse main-loop threads: " + before + " before the devices opened, " + playing
                    + " while they play and capture");
            assertEquals(before, playing, "each device turns its main loop on the thread that reads or writes");
        } finally {
            out.close();
            in.close();
        }
    }

    @Test
    void shouldWakeTheWritingThreadAboutOnceAFrameAtThePaceTheServerPlays() throws Exception {
        java.nio.file.Path status = java.nio.file.Path.of("/proc/thread-self/status");
        Assumptions.assumeTrue(java.nio.file.Files.isReadable(status), "needs Linux's /proc to count a thread's waits");
        PulseDevice out = PulseBackend.system().output(SoundServer.OUT_SINK);
        AudioFormat format = AudioFormat.mono48k(20);
        short[] frame = new short[format.frameSamples()];
        Arrays.fill(frame, (short) 3000);
        int frames = 100;
        out.open(AudioDevice.Direction.OUTPUT, format);
        try {
            for (int i = 0; i < 25; i++) {
                out.write(frame, 0, frame.length);
            }
            long xruns = out.xruns();
            long waitsBefore = voluntarySwitches(status);
            long startNs = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                out.write(frame, 0, frame.length);
            }
            long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
            double waitsPerFrame = (voluntarySwitches(status) - waitsBefore) / (double) frames;
            System.out.printf("PulseAudio output: %d frames of 20 ms written in %d ms, %.2f waits of the writing"
                    + " thread a frame, %d underflows%n", frames, elapsedMs, waitsPerFrame, out.xruns() - xruns);
            assertTrue(elapsedMs >= frames * 20 * 85 / 100, "writes wait for the server to play: " + elapsedMs + " ms");
            // Answering each of the server's four requests a frame took four or five.
            assertTrue(waitsPerFrame < 2, waitsPerFrame + " waits a frame");
            assertEquals(xruns, out.xruns(), "no underflow while written in time");
        } finally {
            out.close();
        }
    }

    @Test
    void shouldNotHoldTheWriterLongerThanItsChunkWhileTheServerIsPrebuffering() throws Exception {
        short[] frame = new short[AudioFormat.mono48k(20).frameSamples()];
        PulseDevice out = openedOutput();
        try {
            // 2 ms, then 6 ms: under the server's prebuffer (its target length, 15 ms), so the
            // stream has not started and sends no request that would end the wait for the low-water mark.
            out.write(frame, 0, 96);
            long startNs = System.nanoTime();
            out.write(frame, 0, 288);
            long waitedMs = (System.nanoTime() - startNs) / 1_000_000;
            System.out.println("a 6 ms write to a prebuffering stream returned after " + waitedMs + " ms");
            assertTrue(waitedMs < 1000, waitedMs + " ms");
            for (int i = 0; i < 10; i++) {
                out.write(frame, 0, frame.length); // and it plays on
            }
        } finally {
            out.close();
        }
    }

    /** A 20 ms frame at a steady level (not silence, which a server might treat apart). */
    private static short[] toneFrame() {
        short[] frame = new short[AudioFormat.mono48k(20).frameSamples()];
        Arrays.fill(frame, (short) 3000);
        return frame;
    }

    /** The test sink, opened for 20 ms frames. */
    private static PulseDevice openedOutput() throws IOException {
        PulseDevice out = PulseBackend.system().output(SoundServer.OUT_SINK);
        out.open(AudioDevice.Direction.OUTPUT, AudioFormat.mono48k(20));
        return out;
    }

    private static long voluntarySwitches(java.nio.file.Path status) throws IOException {
        for (String line : java.nio.file.Files.readAllLines(status)) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        throw new IOException("no voluntary_ctxt_switches in " + status);
    }

    /** Threads libpulse's threaded main loop starts are named {@code threaded-ml}. */
    private static long libpulseThreads(java.nio.file.Path tasks) throws IOException {
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(tasks)) {
            return list.filter(t -> {
                try {
                    return java.nio.file.Files.readString(t.resolve("comm")).strip().equals("threaded-ml");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }
}
