package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.audio.OpusCodec;
import dev.viz.core.Profile;
import dev.viz.core.Redundancy;
import dev.viz.core.SessionListener;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.VoiceSession;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.loopback.LoopbackTransport;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real call, in real time, on the session's own threads, through the public builder: paced WAV
 * devices, real Opus and Zstandard, an in-memory path impaired on the system clock (5 % loss,
 * 40 ms of jitter each way). It checks the wiring that only real threads exercise: the call ends by
 * itself when the input does (the bye gets through the impairment), the listener hook is given the
 * figures about once a second, reports flow and give a round-trip time, and audio is played. How
 * well the speech survives is measured, and printed, but asserted in the simulated-clock tests
 * (RealtimeMatrixTest and others): a real-time figure depends on how busy the machine is.
 */
class ImpairedSessionTest {
    @TempDir
    Path dir;

    private static Path writeWav(Path file, short[] samples) throws Exception {
        ByteBuffer bytes = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) {
            bytes.putShort(s);
        }
        AudioFormat format = new AudioFormat(48_000, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(bytes.array()), format, samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    @Test
    void shouldCarrySpeechThroughALossyJitteryPathInRealTime() throws Exception {
        short[] said = java.util.Arrays.copyOf(TestAudio.samples(TestAudio.SPEECH), 48_000 * 6);
        Path input = writeWav(dir.resolve("said.wav"), said);
        Path output = dir.resolve("heard.wav");
        ImpairmentSpec path = ImpairmentSpec.parse("loss=5%,jitter=40ms,seed=21");
        LoopbackTransport[] pair = LoopbackTransport.pair(1370);
        List<SessionStats> reported = Collections.synchronizedList(new ArrayList<>());
        SessionListener listener = new SessionListener() {
            @Override
            public void onStats(VoiceSession session, SessionStats stats) {
                reported.add(stats);
            }
        };
        SessionStats heard;
        String endReason;
        try (VoiceSession listening = VoiceSession.builder().allowPlaintext(true)
                .transport(path.wrap(pair[1])).listener(listener)
                .input(AudioDevices.silence()).output(AudioDevices.wavOutput(output))
                .build();
                VoiceSession calling = VoiceSession.builder().allowPlaintext(true)
                        .transport(path.withSeed(22).wrap(pair[0]))
                        .input(AudioDevices.wav(input)).output(AudioDevices.nullOutput())
                        .build()) {
            listening.start();
            calling.start();
            assertTrue(listening.awaitEnd(Duration.ofSeconds(60)), "the call ended with the input");
            heard = listening.stats();
            endReason = listening.endReason();
        }
        short[] received = TestAudio.samples(output);
        double correlation = SpeechComparison.compare(said, received, 48_000, 3_000).correlation();
        System.out.printf("real time, 5 %% loss and 40 ms jitter each way: envelope correlation %.3f; rtt %.1f ms,"
                + " jitter %.1f ms, loss %.1f %%, playout delay %d ms, %d played, %d rebuilt, %d concealed, %d late;"
                + " %d stats callbacks%n", correlation, heard.rttMs(), heard.jitterMs(), heard.lossPercent(),
                heard.playoutDelayMs(), heard.framesPlayed(), heard.framesRecovered(), heard.framesConcealed(),
                heard.framesLate(), reported.size());
        assertEquals("the peer ended the call", endReason);
        assertTrue(reported.size() >= 4, "stats callbacks " + reported.size());
        assertTrue(reported.stream().anyMatch(s -> s.get(Stat.RTT_US) > 0), "a round-trip time was measured");
        assertTrue(heard.get(Stat.REPORTS_RECEIVED) >= 4);
        assertTrue(heard.framesPlayed() > 0 && received.length > said.length / 2, "audio was played");
        long slots = heard.framesPlayed() + heard.framesRecovered() + heard.framesConcealed() + heard.get(Stat.FRAMES_DTX);
        assertTrue(slots <= said.length / 1920 + 2, slots + " slots for " + said.length / 1920 + " frames said");
    }

    @Test
    void shouldTakeTheProfileAndTheRealTimeOptionsFromTheBuilder() {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        try (VoiceSession session = VoiceSession.builder().allowPlaintext(true).transport(pair[0])
                .profile(Profile.LOW_LATENCY).input(AudioDevices.silence()).output(AudioDevices.nullOutput())
                .build()) {
            assertEquals(20, session.format().frameMs());
            assertEquals(1, session.framesPerBatch());
        }
        try (VoiceSession session = VoiceSession.builder().allowPlaintext(true).transport(pair[0])
                .input(AudioDevices.silence()).output(AudioDevices.nullOutput()).build()) {
            assertEquals(40, session.format().frameMs());
            assertEquals(8, session.framesPerBatch());
        }
        IllegalStateException noCopies = assertThrows(IllegalStateException.class, () -> VoiceSession.builder()
                .allowPlaintext(true).transport(pair[0]).codec(new OpusCodec()).redundancy(Redundancy.ON)
                .input(AudioDevices.silence()).output(AudioDevices.nullOutput()).build());
        assertTrue(noCopies.getMessage().contains("redundancyCodec"), noCopies.getMessage());
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class, () -> VoiceSession.builder()
                .allowPlaintext(true).transport(pair[0]).maxPlayoutDelay(Duration.ofMillis(50))
                .input(AudioDevices.silence()).output(AudioDevices.nullOutput()).build());
        assertTrue(tooShort.getMessage().contains("max playout delay"), tooShort.getMessage());
    }
}
