package dev.viz.audio.portaudio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.audio.OpusCodec;
import dev.viz.audio.javasound.JavaSoundBackend;
import dev.viz.audio.javasound.JavaSoundDevice;
import dev.viz.audio.javasound.JavaSoundOpens;
import dev.viz.audio.pulse.PulseBackend;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.VoiceSession;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Whole calls through real devices on the real sound server: two sessions over UDP on loopback,
 * the Opus codec and Zstandard between them, one side's microphone and the other side's speaker
 * being the backend under test. What the speaker plays is recorded from the sink's monitor with
 * {@code parec}, an instrument independent of the code under test.
 */
@Timeout(90)
class CallThroughDevicesTest {
    private static final String OUT_MONITOR = SoundServer.OUT_SINK + ".monitor";
    private static final String MIC_MONITOR = SoundServer.MIC_SINK + ".monitor";

    @TempDir
    Path dir;

    /** The backend under test and where its devices point on the test server. */
    enum Backend {
        PORTAUDIO {
            @Override
            boolean available() {
                return PortAudioBackend.system().isAvailable();
            }

            @Override
            String whyUnavailable() {
                return String.valueOf(PortAudioBackend.system().unavailabilityCause());
            }

            @Override
            AudioDevice microphone() throws IOException {
                return PortAudioBackend.system().input("viz_mic"); // ALSA viz_mic: the source viz_mic.monitor
            }

            @Override
            AudioDevice namedSpeaker() throws IOException {
                return PortAudioBackend.system().output("viz_speaker"); // ALSA viz_speaker: the sink viz_out
            }

            @Override
            AudioDevice defaultSpeaker() throws IOException {
                return PortAudioBackend.system().defaultOutput();
            }
        },
        JAVASOUND {
            @Override
            boolean available() {
                return JavaSoundBackend.system().isAvailable();
            }

            @Override
            String whyUnavailable() {
                return String.valueOf(JavaSoundBackend.system().unavailabilityCause());
            }

            @Override
            AudioDevice microphone() throws IOException {
                return JavaSoundBackend.system().defaultInput(); // the server's default source, set by the test
            }

            @Override
            AudioDevice namedSpeaker() throws IOException {
                return JavaSoundBackend.system().defaultOutput(); // Java Sound sees only the default: viz_out
            }

            @Override
            AudioDevice defaultSpeaker() throws IOException {
                return JavaSoundBackend.system().defaultOutput();
            }
        };

        abstract boolean available();

        abstract String whyUnavailable();

        abstract AudioDevice microphone() throws IOException;

        abstract AudioDevice namedSpeaker() throws IOException;

        abstract AudioDevice defaultSpeaker() throws IOException;
    }

    @BeforeEach
    void soundServer() {
        SoundServer.assumeRunning();
    }

    private static void assumeAvailable(Backend backend) {
        if (!backend.available()) {
            System.out.println("SKIPPED (" + backend + " unavailable): " + backend.whyUnavailable());
        }
        Assumptions.assumeTrue(backend.available(), backend::whyUnavailable);
    }

    /** Speaker side: {@code input} into the call. Listener side: the call into {@code output}. */
    private static final class Call implements AutoCloseable {
        final VoiceSession talker;
        final VoiceSession listener;

        Call(AudioDevice input, AudioDevice output) throws IOException {
            this(input, output, true);
        }

        /** With {@code dtx} false, so Opus does not take a steady test tone for background noise. */
        Call(AudioDevice input, AudioDevice output, boolean dtx) throws IOException {
            UdpPair[] udp = UdpPair.create();
            listener = VoiceSession.builder().transport(udp[1]).input(AudioDevices.silence()).output(output)
                    .allowPlaintext(true).build();
            talker = VoiceSession.builder().transport(udp[0]).input(input).output(AudioDevices.nullOutput())
                    .codec(OpusCodec.builder().dtx(dtx).build()).allowPlaintext(true).build();
            listener.start();
            talker.start();
            await(() -> listener.state() == SessionState.CONNECTED && talker.state() == SessionState.CONNECTED,
                    10_000, "both sides connected");
        }

        /** Frame slots the listener's playout has filled: decoded, concealed, rebuilt or silent (DTX). */
        long played() {
            dev.viz.core.SessionStats stats = listener.stats();
            return stats.framesPlayed() + stats.framesConcealed() + stats.get(dev.viz.core.Stat.FRAMES_RECOVERED)
                    + stats.get(dev.viz.core.Stat.FRAMES_DTX);
        }

        /** Waits until the listener has played {@code frames} more frames (40 ms each). */
        void awaitPlayed(int frames, String what) {
            long target = played() + frames;
            await(() -> played() >= target, frames * 40L + 5_000, what);
        }

        @Override
        public void close() {
            talker.close();
            listener.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void shouldCarrySpeechFromAVirtualMicrophoneToANullSink(Backend backend) throws Exception {
        assumeAvailable(backend);
        Path wav = TestAudio.copyTo(TestAudio.SPEECH, dir);
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        String previousSource = SoundServer.pactl("get-default-source").strip();
        if (backend == Backend.JAVASOUND) {
            SoundServer.pactl("set-default-source", MIC_MONITOR); // Java Sound reaches only the default source
        }
        short[] heard;
        SessionStats stats;
        AudioDevice microphone = backend.microphone();
        AudioDevice speaker = backend.namedSpeaker();
        try (Call call = new Call(microphone, speaker)) {
            await(() -> opens(microphone) > 0 && opens(speaker) > 0, 10_000, "both devices open");
            call.awaitPlayed(5, "audio flowing through the call");
            try (MonitorRecorder recorder = MonitorRecorder.start(OUT_MONITOR)) {
                Process paplay = new ProcessBuilder("paplay", "-d", SoundServer.MIC_SINK, wav.toString())
                        .redirectErrorStream(true).start();
                if (!paplay.waitFor(30, TimeUnit.SECONDS)) {
                    paplay.destroyForcibly();
                    throw new AssertionError("paplay did not finish the 10 s clip in 30 s");
                }
                assertEquals(0, paplay.exitValue(), () -> "paplay failed: " + output(paplay));
                call.awaitPlayed(50, "2 s more played after the speech, for batching and the jitter buffer");
                heard = recorder.stop();
                stats = call.listener.stats();
            }
        } finally {
            SoundServer.pactl("set-default-source", previousSource);
        }

        SpeechComparison.Result result = SpeechComparison.best(speech, heard, 48_000, 4_000);
        System.out.println(backend + " virtual microphone -> call -> null sink: " + result + "; recorded "
                + heard.length / 48 + " ms; xruns microphone " + microphone.xruns() + ", speaker "
                + speaker.xruns() + "; listener " + stats.toJson().replaceAll("\\s+", " "));
        assertTrue(result.correlation() >= 0.8, result::toString);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void shouldKeepTheCallGoingWhenTheOutputSinkIsUnloadedAndLoadedAgain(Backend backend) throws Exception {
        assumeAvailable(backend);
        try (Call call = new Call(AudioDevices.tone(1000), backend.defaultSpeaker(), false)) {
            call.awaitPlayed(25, "1 s played before the sink goes");
            int module = SoundServer.moduleOfSink(SoundServer.OUT_SINK);
            assertTrue(module >= 0, "the null sink " + SoundServer.OUT_SINK + " was loaded by a module");
            SoundServer.pactl("unload-module", Integer.toString(module));
            try {
                await(() -> !hasSink(SoundServer.OUT_SINK), 5_000, SoundServer.OUT_SINK + " unloaded");
                call.awaitPlayed(25, "1 s played while the sink is gone");
            } finally {
                if (!hasSink(SoundServer.OUT_SINK)) {
                    SoundServer.loadNullSink(SoundServer.OUT_SINK);
                }
                SoundServer.pactl("set-default-sink", SoundServer.OUT_SINK);
            }
            call.awaitPlayed(10, "playing on after the sink is back");

            short[] heard;
            try (MonitorRecorder recorder = MonitorRecorder.start(OUT_MONITOR)) {
                await(() -> recorder.samples() >= 2 * 48_000, 10_000, "2 s recorded from the reloaded sink");
                heard = recorder.stop();
            }
            ToneDetector.Scan tone = ToneDetector.scan(heard, 1000, 48_000, 0.1);
            SessionStats stats = call.listener.stats();
            System.out.println(backend + " output sink unloaded and loaded again: " + tone + "; state "
                    + stats.state() + ", device errors " + stats.get(Stat.DEVICE_ERRORS) + ", played "
                    + stats.framesPlayed());
            assertEquals(SessionState.CONNECTED, stats.state(), "the call goes on");
            assertTrue(tone.windowsWithTone() >= tone.windows() / 2, "output recovers: " + tone);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void shouldPlayOnWhenTheServerDropsTheOutputStreamMidCall(Backend backend) throws Exception {
        assumeAvailable(backend);
        AudioDevice speaker = backend.namedSpeaker();
        try (Call call = new Call(AudioDevices.tone(1000), speaker, false)) {
            call.awaitPlayed(25, "1 s played before the stream is dropped");
            for (int stream : SoundServer.ownSinkInputs()) {
                SoundServer.pacmd("kill-sink-input", Integer.toString(stream));
            }
            call.awaitPlayed(25, "1 s played after the stream was dropped");

            short[] heard;
            try (MonitorRecorder recorder = MonitorRecorder.start(OUT_MONITOR)) {
                await(() -> recorder.samples() >= 2 * 48_000, 10_000, "2 s recorded after the drop");
                heard = recorder.stop();
            }
            ToneDetector.Scan tone = ToneDetector.scan(heard, 1000, 48_000, 0.1);
            SessionStats stats = call.listener.stats();
            long opens = opens(speaker);
            System.out.println(backend + " output stream dropped by the server mid-call: " + tone + "; state "
                    + stats.state() + ", device errors " + stats.get(Stat.DEVICE_ERRORS) + ", device opened "
                    + opens + " times");
            assertEquals(SessionState.CONNECTED, stats.state(), "the call goes on");
            assertTrue(tone.windowsWithTone() >= tone.windows() / 2, "output recovers: " + tone);
        }
    }

    @Test
    void shouldReportTheOutputsUnderflowsInTheListenersStats() throws Exception {
        Assumptions.assumeTrue(PulseBackend.system().isAvailable(),
                () -> "libpulse: " + PulseBackend.system().unavailabilityCause());
        StallingSpeaker speaker = new StallingSpeaker(PulseBackend.system().output(SoundServer.OUT_SINK));
        try (Call call = new Call(AudioDevices.tone(1000), speaker, false)) {
            call.awaitPlayed(25, "1 s played before the stall");
            long before = call.listener.stats().get(Stat.OUTPUT_XRUNS);
            speaker.stallNextWrite = true; // the server's 5-25 ms run dry: a real underflow
            call.awaitPlayed(25, "1 s played after the stall");
            long reported = call.listener.stats().get(Stat.OUTPUT_XRUNS);
            System.out.println("PulseAudio speaker stalled 300 ms mid-call: outputXruns " + before + " before, "
                    + reported + " after; the device counts " + speaker.xruns());
            assertTrue(reported > before, "the stall's underflow reaches the stats: " + before + " then " + reported);
            assertTrue(reported <= speaker.xruns(), reported + " reported, " + speaker.xruns() + " counted");
        }
    }

    /** A real speaker whose playback thread is held up once, when asked, before a write. */
    private static final class StallingSpeaker implements AudioDevice {
        private final AudioDevice device;
        volatile boolean stallNextWrite;

        StallingSpeaker(AudioDevice device) {
            this.device = device;
        }

        @Override
        public String name() {
            return device.name();
        }

        @Override
        public boolean supports(Direction direction) {
            return device.supports(direction);
        }

        @Override
        public void open(Direction direction, AudioFormat format) throws IOException {
            device.open(direction, format);
        }

        @Override
        public int read(short[] pcm, int offset, int samples) throws IOException {
            return device.read(pcm, offset, samples);
        }

        @Override
        public void write(short[] pcm, int offset, int samples) throws IOException {
            if (stallNextWrite) {
                stallNextWrite = false;
                LockSupport.parkNanos(300_000_000L);
            }
            device.write(pcm, offset, samples);
        }

        @Override
        public long xruns() {
            return device.xruns();
        }

        @Override
        public void close() {
            device.close();
        }
    }

    private static long opens(AudioDevice device) {
        return device instanceof PortAudioDevice p ? p.reopener().opens() : JavaSoundOpens.of((JavaSoundDevice) device);
    }

    private static boolean hasSink(String name) {
        try {
            return SoundServer.hasSink(name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void await(BooleanSupplier condition, long timeoutMs, String what) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for: " + what);
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }
}
