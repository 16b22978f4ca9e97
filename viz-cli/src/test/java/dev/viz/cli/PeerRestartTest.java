package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionState;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.impair.ImpairedTransport;
import dev.viz.transport.impair.ImpairmentSpec;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, point 1, in one JVM with the real engine over UDP loopback: the caller dies mid-call (it
 * stops sending, without a bye, as a killed process does) and a new caller, numbering its frames from
 * 0 again, calls the same listener. Its audio must play at once, not once its numbers pass the old ones.
 */
@Timeout(60)
class PeerRestartTest {
    @TempDir
    Path dir;

    private static VoiceSession caller(int port, Transport transport, Path speech) throws IOException {
        VoiceSession caller = VoiceSession.builder()
                .transport(transport)
                .input(AudioDevices.wav(speech))
                .output(AudioDevices.nullOutput())
                .allowPlaintext(true)
                .build();
        caller.start();
        return caller;
    }

    @Test
    void shouldPlayARestartedPeersAudioWithinThreeSeconds() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, dir);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        UdpTransport listenSide = UdpTransport.listen(new InetSocketAddress(loopback, 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        try (VoiceSession listener = VoiceSession.builder()
                .transport(listenSide)
                .input(AudioDevices.silence())
                .output(AudioDevices.wavOutput(dir.resolve("heard.wav")))
                .allowPlaintext(true)
                .idleTimeout(Duration.ofSeconds(20))
                .build()) {
            listener.start();
            int port = listenSide.localPort();
            // Real UDP underneath; cut, it sends and receives nothing, as a killed process.
            ImpairedTransport first = ImpairmentSpec.NONE.wrap(UdpTransport.connect("127.0.0.1", port));
            VoiceSession firstCaller = caller(port, first, speech);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (listener.stats().framesPlayed() < 150 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(listener.stats().framesPlayed() >= 150, "6 s of the first call played: " + listener.stats());
            first.cut();
            firstCaller.close();
            Thread.sleep(1000);
            long playedBefore = listener.stats().framesPlayed();

            long restartNs = System.nanoTime();
            try (VoiceSession secondCaller = caller(port, UdpTransport.connect("127.0.0.1", port), speech)) {
                long backNs = -1;
                while (System.nanoTime() - restartNs < 8_000_000_000L) {
                    // Audio is back when a second of the new call (25 frames) has played.
                    if (listener.stats().framesPlayed() - playedBefore >= 25) {
                        backNs = System.nanoTime() - restartNs;
                        break;
                    }
                    Thread.sleep(20);
                }
                System.out.println("restarted peer: 1 s of its audio played " + (backNs < 0 ? "never" : backNs / 1_000_000
                        + " ms") + " after it started; " + listener.stats());
                assertTrue(backNs > 0 && backNs <= 3_000_000_000L, "audio back within 3 s: " + listener.stats());
                assertEquals(1, listener.stats().get(Stat.STREAM_RESTARTS));
                assertEquals(SessionState.CONNECTED, listener.state());
            }
        }
    }
}
