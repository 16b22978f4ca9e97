package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.VoiceSession;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.udp.UdpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two sessions in one JVM over real UDP loopback: recorded speech in, speech out. */
@Timeout(60)
class InProcessCallTest {
    @TempDir
    Path dir;

    static final class Call implements AutoCloseable {
        final VoiceSession listener;
        final VoiceSession caller;
        final UdpTransport listenSide;
        final List<SessionState> listenerStates = new CopyOnWriteArrayList<>();

        Call(Path speech, Path heard, boolean plaintext) throws Exception {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            listenSide = UdpTransport.listen(new InetSocketAddress(loopback, 0), UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
            listener = VoiceSession.builder()
                    .transport(listenSide)
                    .input(AudioDevices.silence())
                    .output(AudioDevices.wavOutput(heard))
                    .allowPlaintext(plaintext)
                    .listener(new dev.viz.core.SessionListener() {
                        @Override
                        public void onStateChanged(VoiceSession session, SessionState state) {
                            listenerStates.add(state);
                        }
                    })
                    .build();
            listener.start();
            caller = VoiceSession.builder()
                    .transport(UdpTransport.connect("127.0.0.1", listenSide.localPort()))
                    .input(AudioDevices.wav(speech))
                    .output(AudioDevices.nullOutput())
                    .allowPlaintext(plaintext)
                    .build();
            caller.start();
        }

        @Override
        public void close() {
            caller.close();
            listener.close();
        }
    }

    @Test
    void shouldCarryRecordedSpeechWithNoFrameLostOverPlainUdp() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, dir);
        Path heard = dir.resolve("heard.wav");
        try (Call call = new Call(speech, heard, true)) {
            assertTrue(call.listener.awaitEnd(Duration.ofSeconds(30)), "the listener ends after the caller's bye");
            assertTrue(call.caller.awaitEnd(Duration.ofSeconds(5)));
            SessionStats sent = call.caller.stats();
            SessionStats heardStats = call.listener.stats();
            assertEquals(250, sent.framesSent());
            assertEquals(250, heardStats.framesReceived());
            assertEquals(0, heardStats.get(Stat.FRAMES_LOST), "no frame lost");
            assertEquals(250, heardStats.framesPlayed() + heardStats.get(Stat.FRAMES_DTX)
                    + heardStats.get(Stat.FRAMES_LATE), "every frame played (or silent, DTX), or late on a loaded machine");
            assertEquals(0, heardStats.datagramsMalformed());
            assertNull(call.listener.failure());
            assertNull(call.caller.failure());
            assertEquals(List.of(SessionState.CONNECTING, SessionState.CONNECTED, SessionState.ENDED), call.listenerStates);
            assertEquals("the peer ended the call", call.listener.endReason());
            assertEquals("the input ended", call.caller.endReason());
        }
        short[] sentPcm = TestAudio.samples(TestAudio.SPEECH);
        short[] heardPcm = TestAudio.samples(heard);
        SpeechComparison.Result match = SpeechComparison.best(sentPcm, heardPcm, 48_000, 1000);
        System.out.println("in-process call over plain UDP: " + match);
        assertTrue(match.correlation() >= 0.9, match.toString());
        assertTrue(Math.abs(heardPcm.length - sentPcm.length) <= 48 * 320, "length within one batch");
    }

    @Test
    void shouldStopEveryThreadWithinOneSecondOfCloseAndBeIdempotent() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, dir);
        Call call = new Call(speech, dir.resolve("heard.wav"), true);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (call.listener.stats().framesPlayed() < 10) {
            assertTrue(System.nanoTime() < deadline, "audio flows");
            Thread.sleep(20);
        }
        long startNs = System.nanoTime();
        call.caller.close();
        call.listener.close();
        long closeMs = (System.nanoTime() - startNs) / 1_000_000;
        assertTrue(closeMs < 2000, "both closed in " + closeMs + " ms");
        assertTrue(call.caller.awaitEnd(Duration.ofSeconds(1)));
        assertTrue(call.listener.awaitEnd(Duration.ofSeconds(1)));
        call.caller.close();
        call.listener.close();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("viz-") || !t.isAlive() || t.getName().equals("viz-status"),
                    "thread still alive: " + t.getName());
        }
    }
}
