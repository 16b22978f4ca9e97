package dev.viz.audio.portaudio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * PortAudio against the real sound server (see {@link SoundServer}): the ALSA names
 * {@code viz_speaker} (the sink {@code viz_out}) and {@code viz_loopback} (its monitor) come from
 * the asoundrc that {@code .ci/sound-server.sh} writes.
 */
class PortAudioDeviceTest {
    private static final double TONE_HZ = 1000;
    private static final double OFF_TONE_HZ = 1500;
    /** Half the tone's full magnitude (0.5): a window above this holds the tone. */
    private static final double TONE_THRESHOLD = 0.25;
    /** A window above this in a silent run would be a false detection. */
    private static final double SILENCE_THRESHOLD = 0.01;

    @BeforeEach
    void soundServerAndPortAudio() {
        SoundServer.assumeRunning();
        if (!PortAudioBackend.system().isAvailable()) {
            System.out.println("SKIPPED (no PortAudio): " + String.valueOf(PortAudioBackend.system().unavailabilityCause()));
        }
        Assumptions.assumeTrue(PortAudioBackend.system().isAvailable(), () -> String.valueOf(PortAudioBackend.system().unavailabilityCause()));
    }

    @Test
    void shouldListTheServersDevicesWithHostApiChannelsAndRate() throws IOException {
        List<PortAudioDeviceInfo> devices = PortAudioBackend.system().listDevices();
        devices.forEach(d -> System.out.println("  " + d));

        PortAudioDeviceInfo speaker = find(devices, "viz_speaker");
        assertEquals("portaudio:viz_speaker", speaker.id());
        assertEquals("ALSA", speaker.hostApi());
        assertTrue(speaker.maxOutputChannels() >= 1, speaker::toString);
        assertTrue(speaker.defaultSampleRateHz() > 0, speaker::toString);
        assertTrue(devices.stream().anyMatch(PortAudioDeviceInfo::isDefaultInput), "a default input is marked");
        assertTrue(devices.stream().anyMatch(PortAudioDeviceInfo::isDefaultOutput), "a default output is marked");
        assertTrue(PortAudioBackend.system().versionText().startsWith("PortAudio"), PortAudioBackend.system().versionText());
    }

    @Test
    void shouldFindA1kHzTonePlayedToTheNullSinkInACaptureOfItsMonitor() throws Exception {
        assertToneFound(PortAudioDevice.SampleFormat.INT16);
    }

    @Test
    void shouldFindTheToneWhenSamplesTravelAsFloat32() throws Exception {
        assertToneFound(PortAudioDevice.SampleFormat.FLOAT32);
    }

    private static void assertToneFound(PortAudioDevice.SampleFormat format) throws Exception {
        PortAudioDevice out = PortAudioBackend.system().device("viz_speaker", false, format);
        PortAudioDevice in = PortAudioBackend.system().device("viz_loopback", true, format);

        short[] captured = PlayAndCapture.run(out, in, TONE_HZ, 2000, 3000);

        ToneDetector.Scan tone = ToneDetector.scan(captured, TONE_HZ, 48_000, TONE_THRESHOLD);
        ToneDetector.Scan offTone = ToneDetector.scan(captured, OFF_TONE_HZ, 48_000, TONE_THRESHOLD);
        System.out.println("PortAudio " + format + " tone: 1 kHz " + tone + "; 1.5 kHz " + offTone
                + "; reported latency out " + out.reportedLatencyMs() + " ms, in " + in.reportedLatencyMs()
                + " ms; xruns out " + out.xruns() + ", in " + in.xruns());
        // 2 s of tone in 20 ms windows is 100 windows; capture may start up to ~0.4 s late.
        assertTrue(tone.windowsWithTone() >= 70, tone::toString);
        assertTrue(tone.maxMagnitude() > 0.45 && tone.maxMagnitude() < 0.55, tone::toString);
        assertEquals(0, offTone.windowsWithTone(), offTone::toString);
    }

    @Test
    void shouldFindNothingWhenSilenceIsPlayed() throws Exception {
        PortAudioDevice out = PortAudioBackend.system().output("viz_speaker");
        PortAudioDevice in = PortAudioBackend.system().input("viz_loopback");

        short[] captured = PlayAndCapture.run(out, in, 0, 2000, 3000);

        ToneDetector.Scan tone = ToneDetector.scan(captured, TONE_HZ, 48_000, SILENCE_THRESHOLD);
        System.out.println("PortAudio silent control: 1 kHz " + tone);
        assertEquals(0, tone.windowsWithTone(), tone::toString);
    }

    @Test
    void shouldCaptureWhatTheDefaultOutputPlaysThroughTheMonitorInput() throws Exception {
        PortAudioDevice out = PortAudioBackend.system().defaultOutput();
        PortAudioDevice in = PortAudioBackend.system().monitorInput();

        short[] captured = PlayAndCapture.run(out, in, TONE_HZ, 2000, 3000);

        ToneDetector.Scan tone = ToneDetector.scan(captured, TONE_HZ, 48_000, TONE_THRESHOLD);
        System.out.println("PortAudio default -> monitor: " + tone + " (input opened " + in.openedDevice() + ")");
        assertTrue(tone.windowsWithTone() >= 70, tone::toString);
    }

    @Test
    void shouldNameTheDevicesThereAreWhenNoneMatches() {
        IOException e = assertThrows(IOException.class, () -> PortAudioBackend.system().output("no-such-speaker"));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("no PortAudio output named 'no-such-speaker'"), e.getMessage());
        assertTrue(e.getMessage().contains("viz_speaker"), e.getMessage());

        IOException monitorAsOutput = assertThrows(IOException.class, () -> PortAudioBackend.system().output("monitor"));
        assertTrue(monitorAsOutput.getMessage().contains("is an input"), monitorAsOutput.getMessage());
    }

    @Test
    void shouldOpenADeviceByIndexAndByPartOfItsName() throws Exception {
        PortAudioDeviceInfo speaker = find(PortAudioBackend.system().listDevices(), "viz_speaker");
        PortAudioDevice byIndex = PortAudioBackend.system().output(Integer.toString(speaker.index()));
        PortAudioDevice byPart = PortAudioBackend.system().output("portaudio:VIZ_SPEAK");
        for (PortAudioDevice device : List.of(byIndex, byPart)) {
            device.open(AudioDevice.Direction.OUTPUT, PlayAndCapture.FORMAT);
            try {
                assertEquals("#" + speaker.index() + " viz_speaker", device.openedDevice());
            } finally {
                device.close();
            }
        }
    }

    @Test
    void shouldPlayAgainAfterTheServerKillsTheStreamMidCall() throws Exception {
        PortAudioDevice out = PortAudioBackend.system().output("viz_speaker");
        PortAudioDevice in = PortAudioBackend.system().input("viz_loopback");

        PlayAndCapture.KillRun run = PlayAndCapture.runKillingPlayback(out, in, TONE_HZ, 4000, 1000);

        short[] afterKill = java.util.Arrays.copyOfRange(run.captured(), run.killedAtSample() + 48_000,
                run.captured().length);
        ToneDetector.Scan tone = ToneDetector.scan(afterKill, TONE_HZ, 48_000, TONE_THRESHOLD);
        System.out.println("PortAudio stream killed mid-call: " + run.reopens() + " reopen(s) " + run.failures()
                + ", opens " + out.reopener().opens() + "; from 1 s after the kill: " + tone);
        assertTrue(tone.windowsWithTone() >= tone.windows() * 6 / 10, tone::toString);
        assertEquals(1 + run.reopens(), out.reopener().opens());
    }

    @Test
    void shouldFollowTheDefaultOutputWhenANamedOneCannotBeOpenedAgain() throws Exception {
        String sink = "viz_test_hotplug";
        int module = SoundServer.loadNullSink(sink);
        PortAudioDevice out = PortAudioBackend.system().output("alsa:pulse:DEVICE=" + sink);

        PlayAndCapture.FollowRun run = PlayAndCapture.runFollowingTheDefault(out,
                PortAudioBackend.system().input("viz_loopback"), module,
                PortAudioDevice.FOLLOW_DEFAULT_AFTER_FAILURES - 1, TONE_HZ, TONE_THRESHOLD);

        System.out.println("following the default (" + out.openedDevice() + ") after '" + run.firstFailure() + "': "
                + run.tone());
        assertEquals(1, out.reopener().defaultsFollowed());
        assertFalse(out.openedDevice().contains(sink), out.openedDevice());
        assertTrue(run.tone().windowsWithTone() >= 45, run.tone()::toString);
    }

    @Test
    void shouldReadAndWriteWithoutAllocatingOnceWarm() throws Exception {
        AudioDevice out = PortAudioBackend.system().output("viz_speaker");
        AudioDevice in = PortAudioBackend.system().input("viz_loopback");
        in.open(AudioDevice.Direction.INPUT, AudioFormat.mono48k(10));
        out.open(AudioDevice.Direction.OUTPUT, AudioFormat.mono48k(10));
        try {
            long[] bytes = PlayAndCapture.allocatedBytesPerRound(out, in, 4);
            System.out.println("PortAudio bytes allocated per 100 writes and reads: " + Arrays.toString(bytes));
            assertEquals(0, bytes[3], "the last round, once warm: " + Arrays.toString(bytes));
        } finally {
            out.close();
            in.close();
        }
    }

    @Test
    void shouldCountAnUnderflowWhenThePlayerFallsBehind() throws Exception {
        PortAudioDevice out = PortAudioBackend.system().output("viz_speaker");
        short[] frame = new short[PlayAndCapture.FORMAT.frameSamples()];
        out.open(AudioDevice.Direction.OUTPUT, PlayAndCapture.FORMAT);
        try {
            for (int i = 0; i < 5; i++) {
                out.write(frame, 0, frame.length);
            }
            long before = out.xruns();
            // The stall is the point of this test: a playback thread that stops writing for 0.3 s.
            LockSupport.parkNanos(300_000_000L);
            for (int i = 0; i < 5; i++) {
                out.write(frame, 0, frame.length);
            }
            System.out.println("PortAudio output xruns after a 0.3 s stall: " + (out.xruns() - before));
            assertTrue(out.xruns() > before, "an underflow is counted, not thrown");
        } finally {
            out.close();
        }
    }

    private static PortAudioDeviceInfo find(List<PortAudioDeviceInfo> devices, String name) {
        return devices.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not listed: " + devices));
    }
}
