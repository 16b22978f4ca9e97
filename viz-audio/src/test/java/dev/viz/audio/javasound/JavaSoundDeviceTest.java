package dev.viz.audio.javasound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.portaudio.PlayAndCapture;
import dev.viz.audio.portaudio.SoundServer;
import dev.viz.audio.portaudio.ToneDetector;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Java Sound against the real sound server. Java Sound sees only ALSA's default device, which is
 * the server: its default sink {@code viz_out} and default source {@code viz_out.monitor}, as
 * {@code .ci/sound-server.sh} sets them, so what the default output plays is what the default
 * input captures.
 */
class JavaSoundDeviceTest {
    private static final double TONE_HZ = 1000;
    private static final double TONE_THRESHOLD = 0.25;
    private static final double SILENCE_THRESHOLD = 0.01;

    @BeforeEach
    void soundServerAndJavaSound() throws IOException {
        SoundServer.assumeRunning();
        if (!JavaSoundBackend.system().isAvailable()) {
            System.out.println("SKIPPED (no Java Sound): " + String.valueOf(JavaSoundBackend.system().unavailabilityCause()));
        }
        Assumptions.assumeTrue(JavaSoundBackend.system().isAvailable(), () -> String.valueOf(JavaSoundBackend.system().unavailabilityCause()));
        String source = SoundServer.pactl("get-default-source").strip();
        assertEquals(SoundServer.OUT_SINK + ".monitor", source,
                "the tests need the server's default source to be the monitor of its default sink");
    }

    @Test
    void shouldListTheDefaultMixerForInputAndOutput() {
        List<JavaSoundDeviceInfo> devices = JavaSoundBackend.system().listDevices();
        devices.forEach(d -> System.out.println("  " + d));
        JavaSoundDeviceInfo mixer = devices.stream().filter(d -> d.name().startsWith("default")).findFirst()
                .orElseThrow(() -> new AssertionError("no default mixer in " + devices));
        assertTrue(mixer.isInput() && mixer.isOutput(), mixer::toString);
        assertTrue(mixer.id().startsWith("javasound:default"), mixer.id());
    }

    @Test
    void shouldFindA1kHzTonePlayedToTheNullSinkInACaptureOfItsMonitor() throws Exception {
        JavaSoundDevice out = JavaSoundBackend.system().defaultOutput();
        JavaSoundDevice in = JavaSoundBackend.system().defaultInput();

        short[] captured = PlayAndCapture.run(out, in, TONE_HZ, 2000, 3000);

        ToneDetector.Scan tone = ToneDetector.scan(captured, TONE_HZ, 48_000, TONE_THRESHOLD);
        ToneDetector.Scan offTone = ToneDetector.scan(captured, 1500, 48_000, TONE_THRESHOLD);
        System.out.println("Java Sound tone: 1 kHz " + tone + "; 1.5 kHz " + offTone + "; line buffers out "
                + out.lineBufferMs() + " ms, in " + in.lineBufferMs() + " ms; xruns out " + out.xruns() + ", in "
                + in.xruns());
        assertTrue(tone.windowsWithTone() >= 70, tone::toString);
        assertTrue(tone.maxMagnitude() > 0.45 && tone.maxMagnitude() < 0.55, tone::toString);
        assertEquals(0, offTone.windowsWithTone(), offTone::toString);
    }

    @Test
    void shouldFindNothingWhenSilenceIsPlayed() throws Exception {
        JavaSoundDevice out = JavaSoundBackend.system().defaultOutput();
        JavaSoundDevice in = JavaSoundBackend.system().defaultInput();

        short[] captured = PlayAndCapture.run(out, in, 0, 2000, 3000);

        ToneDetector.Scan tone = ToneDetector.scan(captured, TONE_HZ, 48_000, SILENCE_THRESHOLD);
        System.out.println("Java Sound silent control: 1 kHz " + tone);
        assertEquals(0, tone.windowsWithTone(), tone::toString);
    }

    @Test
    void shouldOpenAMixerByPartOfItsName() throws Exception {
        JavaSoundDevice out = JavaSoundBackend.system().output("javasound:DEFAULT [");
        out.open(AudioDevice.Direction.OUTPUT, PlayAndCapture.FORMAT);
        try {
            assertTrue(out.openedMixer().startsWith("default ["), out.openedMixer());
        } finally {
            out.close();
        }
    }

    @Test
    void shouldNameTheMixersThereAreWhenNoneMatches() {
        IOException e = assertThrows(IOException.class, () -> JavaSoundBackend.system().input("no-such-microphone"));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("no Java Sound input named 'no-such-microphone'"), e.getMessage());
        assertTrue(e.getMessage().contains("default [default]"), e.getMessage());
    }

    @Test
    void shouldPlayAgainAfterTheServerKillsTheStreamMidCall() throws Exception {
        JavaSoundDevice out = JavaSoundBackend.system().defaultOutput();
        JavaSoundDevice in = JavaSoundBackend.system().defaultInput();

        PlayAndCapture.KillRun run = PlayAndCapture.runKillingPlayback(out, in, TONE_HZ, 4000, 1000);

        short[] afterKill = Arrays.copyOfRange(run.captured(), run.killedAtSample() + 48_000, run.captured().length);
        ToneDetector.Scan tone = ToneDetector.scan(afterKill, TONE_HZ, 48_000, TONE_THRESHOLD);
        System.out.println("Java Sound stream killed mid-call: " + run.reopens() + " reopen(s) " + run.failures()
                + ", opens " + out.reopener().opens() + "; from 1 s after the kill: " + tone);
        assertTrue(tone.windowsWithTone() >= tone.windows() * 6 / 10, tone::toString);
        assertEquals(1 + run.reopens(), out.reopener().opens());
    }

    @Test
    void shouldCountAnUnderflowWhenThePlayerFallsBehind() throws Exception {
        JavaSoundDevice out = JavaSoundBackend.system().defaultOutput();
        short[] frame = new short[PlayAndCapture.FORMAT.frameSamples()];
        out.open(AudioDevice.Direction.OUTPUT, PlayAndCapture.FORMAT);
        try {
            for (int i = 0; i < 5; i++) {
                out.write(frame, 0, frame.length);
            }
            assertEquals(0, out.xruns(), "no underflow while writing steadily");
            // The stall is the point of this test: a playback thread that stops writing for 0.3 s.
            LockSupport.parkNanos(300_000_000L);
            for (int i = 0; i < 5; i++) {
                out.write(frame, 0, frame.length);
            }
            System.out.println("Java Sound output xruns after a 0.3 s stall: " + out.xruns());
            assertEquals(1, out.xruns());
        } finally {
            out.close();
        }
    }

    @Test
    void shouldReadAndWriteWithoutAllocatingOnceWarm() throws Exception {
        AudioDevice out = JavaSoundBackend.system().defaultOutput();
        AudioDevice in = JavaSoundBackend.system().defaultInput();
        in.open(AudioDevice.Direction.INPUT, AudioFormat.mono48k(10));
        out.open(AudioDevice.Direction.OUTPUT, AudioFormat.mono48k(10));
        try {
            long[] bytes = PlayAndCapture.allocatedBytesPerRound(out, in, 4);
            System.out.println("Java Sound bytes allocated per 100 writes and reads: " + Arrays.toString(bytes));
            assertEquals(0, bytes[3], "the last round, once warm: " + Arrays.toString(bytes));
        } finally {
            out.close();
            in.close();
        }
    }

    @Test
    void shouldCountAnOverflowWhenTheReaderFallsBehind() throws Exception {
        JavaSoundDevice in = JavaSoundBackend.system().defaultInput();
        short[] frame = new short[PlayAndCapture.FORMAT.frameSamples()];
        in.open(AudioDevice.Direction.INPUT, PlayAndCapture.FORMAT);
        try {
            for (int i = 0; i < 5; i++) {
                in.read(frame, 0, frame.length);
            }
            long before = in.xruns();
            // The stall is the point of this test: a capture thread that stops reading for 0.3 s.
            LockSupport.parkNanos(300_000_000L);
            for (int i = 0; i < 10; i++) {
                in.read(frame, 0, frame.length);
            }
            System.out.println("Java Sound input xruns after a 0.3 s stall: " + (in.xruns() - before));
            assertEquals(1, in.xruns() - before, "one stall, one overflow");
        } finally {
            in.close();
        }
    }
}
