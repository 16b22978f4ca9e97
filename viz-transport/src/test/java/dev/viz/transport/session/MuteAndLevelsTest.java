package dev.viz.transport.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.VoiceSession;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.loopback.LoopbackTransport;
import dev.viz.transport.udp.UdpTransport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mute, the input level and the output gain through real sessions (real Opus, real UDP or the
 * loopback transport, WAV files in and out): what the peer hears and counts, and what the stats say.
 */
class MuteAndLevelsTest {
    private static final int RATE = 48_000;

    @TempDir
    Path dir;

    private static Path writeWav(Path file, short[] samples) throws Exception {
        ByteBuffer bytes = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) {
            bytes.putShort(s);
        }
        javax.sound.sampled.AudioFormat format = new javax.sound.sampled.AudioFormat(RATE, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(bytes.array()), format,
                samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    /** A sine at {@code hz} with peak {@code amplitude} of full scale. */
    private static short[] sine(double hz, double amplitude, int samples) {
        short[] pcm = new short[samples];
        for (int i = 0; i < samples; i++) {
            pcm[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / RATE));
        }
        return pcm;
    }

    private static double rmsDbfs(short[] pcm, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) pcm[i] * pcm[i];
        }
        return 20 * Math.log10(Math.sqrt(sum / Math.max(1, to - from)) / 32768.0 + 1e-12);
    }

    /**
     * A WAV input that unmutes its session, from the capture thread, once it has read
     * {@code unmuteAtFrame} frames: the frame the session reads next is the first one sent as speech.
     */
    private static final class UnmutingInput implements AudioDevice {
        private final AudioDevice wav;
        private final int unmuteAtFrame;
        volatile VoiceSession session;
        private int frames;

        UnmutingInput(AudioDevice wav, int unmuteAtFrame) {
            this.wav = wav;
            this.unmuteAtFrame = unmuteAtFrame;
        }

        @Override
        public String name() {
            return "unmuting " + wav.name();
        }

        @Override
        public boolean supports(Direction direction) {
            return wav.supports(direction);
        }

        @Override
        public void open(Direction direction, AudioFormat format) throws IOException {
            wav.open(direction, format);
        }

        @Override
        public int read(short[] pcm, int offset, int samples) throws IOException {
            int read = wav.read(pcm, offset, samples);
            if (frames++ == unmuteAtFrame) {
                session.mute(false);
            }
            return read;
        }

        @Override
        public void write(short[] pcm, int offset, int samples) {
            throw new UnsupportedOperationException("input only");
        }

        @Override
        public void close() {
            wav.close();
        }
    }

    @Test
    void shouldSendDtxSilenceWhileMutedThatThePeerCountsAsReceivedThenSpeechOnceUnmuted() throws Exception {
        // 5 s of speech at 40 ms frames: the first 2.4 s (60 frames) muted, the rest sent.
        short[] said = Arrays.copyOf(TestAudio.samples(TestAudio.SPEECH), RATE * 5);
        int mutedFrames = 60;
        int mutedSamples = mutedFrames * RATE * VoiceSession.Builder.DEFAULT_FRAME_MS / 1000;
        assertTrue(rmsDbfs(said, 0, mutedSamples) > -40, "the muted part has speech in it");
        Path heard = dir.resolve("heard.wav");
        UnmutingInput input = new UnmutingInput(AudioDevices.wav(writeWav(dir.resolve("said.wav"), said)), mutedFrames);
        UdpTransport listenSide = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        SessionStats listenerStats;
        SessionStats callerStats;
        try (VoiceSession listener = VoiceSession.builder().allowPlaintext(true).transport(listenSide)
                .input(AudioDevices.silence()).output(AudioDevices.wavOutput(heard)).build()) {
            listener.start();
            try (VoiceSession caller = VoiceSession.builder().allowPlaintext(true)
                    .transport(UdpTransport.connect("127.0.0.1", listenSide.localPort()))
                    .input(input).output(AudioDevices.nullOutput()).build()) {
                input.session = caller;
                caller.mute(true);
                assertTrue(caller.isMuted());
                assertTrue(caller.stats().muted(), "the stats say muted before the call starts");
                caller.start();
                assertTrue(listener.awaitEnd(Duration.ofSeconds(30)), "the listener ends after the caller's bye");
                assertTrue(caller.awaitEnd(Duration.ofSeconds(5)));
                callerStats = caller.stats();
            }
            listenerStats = listener.stats();
        }
        assertFalse(callerStats.muted(), "unmuted from the capture thread");
        int frames = said.length / (RATE * VoiceSession.Builder.DEFAULT_FRAME_MS / 1000);
        // The sender may add one empty frame after the input ends, to carry the last batch's copies.
        assertTrue(callerStats.framesSent() >= frames, "every frame went out: " + callerStats.framesSent());
        assertEquals(callerStats.framesSent(), listenerStats.framesReceived(), "every frame arrived, the muted ones too");
        assertEquals(0, listenerStats.framesLost(), "muting is no loss: " + listenerStats);
        assertTrue(listenerStats.get(Stat.FRAMES_DTX) >= mutedFrames - 2,
                "the muted frames played as DTX silence: " + listenerStats.get(Stat.FRAMES_DTX));

        short[] got = TestAudio.samples(heard);
        short[] expected = said.clone();
        Arrays.fill(expected, 0, mutedSamples, (short) 0);
        SpeechComparison.Result match = SpeechComparison.best(expected, got, RATE, 1500);
        assertTrue(match.correlation() >= 0.85, "speech again once unmuted: " + match);
        // Where the muted part landed in the recording (the same lag), nothing but silence.
        int lagSamples = match.lagMs() * RATE / 1000;
        int from = Math.max(0, lagSamples);
        int to = Math.min(got.length, lagSamples + mutedSamples - RATE / 10);
        assertTrue(to - from > RATE, "compared " + (to - from) + " samples of the muted part");
        double mutedLevel = rmsDbfs(got, from, to);
        double speechLevel = rmsDbfs(got, to + RATE / 5, Math.min(got.length, lagSamples + said.length));
        assertTrue(mutedLevel < -60, "the muted part is silent: " + mutedLevel + " dBFS");
        assertTrue(speechLevel > -40, "the unmuted part is speech: " + speechLevel + " dBFS");
    }

    @Test
    void shouldReportTheInputPeakAndRmsOfAToneInDbfsAlsoWhileMuted() throws Exception {
        // A 1 kHz sine at half full scale: peak 20 log10(0.5) = -6.0 dBFS, RMS 3 dB lower, -9.0 dBFS.
        Path tone = writeWav(dir.resolve("tone.wav"), sine(1000, 0.5, RATE * 2));
        Path heard = dir.resolve("heard.wav");
        LoopbackTransport[] pair = LoopbackTransport.pair();
        SessionStats callerStats;
        SessionStats listenerStats;
        try (VoiceSession listener = VoiceSession.builder().allowPlaintext(true).transport(pair[1])
                .input(AudioDevices.silence()).output(AudioDevices.wavOutput(heard)).build();
                VoiceSession caller = VoiceSession.builder().allowPlaintext(true).transport(pair[0])
                        .input(AudioDevices.wav(tone)).output(AudioDevices.nullOutput()).build()) {
            assertEquals(-100.0, caller.stats().inputPeakDbfs(), "silence before the first frame");
            caller.mute(true);
            listener.start();
            caller.start();
            assertTrue(listener.awaitEnd(Duration.ofSeconds(20)));
            assertTrue(caller.awaitEnd(Duration.ofSeconds(5)));
            callerStats = caller.stats();
            listenerStats = listener.stats();
        }
        assertEquals(-6.0, callerStats.inputPeakDbfs(), 0.15, callerStats.toJson());
        assertEquals(-9.0, callerStats.inputRmsDbfs(), 0.15, callerStats.toJson());
        assertEquals(-60, callerStats.get(Stat.INPUT_PEAK_TENTHS_DBFS));
        // The listener's own input is digital silence.
        assertEquals(-100.0, listenerStats.inputPeakDbfs());
        assertEquals(-100.0, listenerStats.inputRmsDbfs());
        // Muted the whole call: the tone never reached the listener, though every frame did.
        assertTrue(callerStats.framesSent() >= 50, "every frame went out: " + callerStats.framesSent());
        assertEquals(callerStats.framesSent(), listenerStats.framesReceived(), "every frame arrived");
        assertEquals(0, listenerStats.framesLost());
        short[] got = TestAudio.samples(heard);
        assertTrue(got.length > RATE, "played " + got.length);
        assertTrue(rmsDbfs(got, 0, got.length) < -60, "silence: " + rmsDbfs(got, 0, got.length) + " dBFS");
    }

    /** Plays a 2 s tone through one call with {@code gain} on the listener; returns what it recorded. */
    private short[] heardWithGain(Path tone, String name, double gain) throws Exception {
        Path heard = dir.resolve(name);
        LoopbackTransport[] pair = LoopbackTransport.pair();
        try (VoiceSession listener = VoiceSession.builder().allowPlaintext(true).transport(pair[1])
                .input(AudioDevices.silence()).output(AudioDevices.wavOutput(heard)).build();
                VoiceSession caller = VoiceSession.builder().allowPlaintext(true).transport(pair[0])
                        .input(AudioDevices.wav(tone)).output(AudioDevices.nullOutput()).build()) {
            listener.outputGain(gain);
            assertEquals(Math.round(gain * 100), listener.stats().get(Stat.OUTPUT_GAIN_PERCENT));
            listener.start();
            caller.start();
            assertTrue(listener.awaitEnd(Duration.ofSeconds(20)));
        }
        return TestAudio.samples(heard);
    }

    @Test
    void shouldHalveWhatIsPlayedWithAnOutputGainOfOneHalf() throws Exception {
        Path tone = writeWav(dir.resolve("tone.wav"), sine(440, 0.5, RATE * 2));
        short[] full = heardWithGain(tone, "full.wav", 1.0);
        short[] half = heardWithGain(tone, "half.wav", 0.5);
        // The steady middle of the tone in each recording (the playout may shift it by a few ms).
        double fullDb = rmsDbfs(full, RATE / 2, RATE * 3 / 2);
        double halfDb = rmsDbfs(half, RATE / 2, RATE * 3 / 2);
        assertEquals(-9.0, fullDb, 1.0, "the tone arrives at its level");
        assertEquals(-6.02, halfDb - fullDb, 0.3, "half the amplitude is -6 dB: " + fullDb + " -> " + halfDb);
    }

    @Test
    void shouldClampTheOutputGainAndRefuseNaN() {
        try (VoiceSession session = VoiceSession.builder().allowPlaintext(true)
                .transport(LoopbackTransport.pair()[0]).input(AudioDevices.silence())
                .output(AudioDevices.nullOutput()).build()) {
            assertEquals(1.0, session.outputGain());
            assertEquals(100, session.stats().get(Stat.OUTPUT_GAIN_PERCENT));
            session.outputGain(9);
            assertEquals(4.0, session.outputGain());
            assertEquals(400, session.stats().get(Stat.OUTPUT_GAIN_PERCENT));
            session.outputGain(-1);
            assertEquals(0.0, session.outputGain());
            assertThrows(IllegalArgumentException.class, () -> session.outputGain(Double.NaN));
            assertEquals(0.0, session.outputGain(), "unchanged by the refused value");
        }
    }
}
