package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionListener;
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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole sessions (real Opus, Zstandard, WAV devices) over the secure layer on UDP loopback: secure
 * by default through the builder, speech intact, the same code on both sides, RECONNECTING while a
 * listener is gone and the call resuming by itself, a wrong secret ending the call with its reason.
 */
@Timeout(120)
class SecureSessionTest {
    @TempDir
    Path dir;

    /** Records what a session tells its listener. */
    static final class Observer implements SessionListener {
        final List<SessionState> states = new CopyOnWriteArrayList<>();
        final List<String> codes = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onStateChanged(VoiceSession session, SessionState state) {
            states.add(state);
        }

        @Override
        public void onSecured(VoiceSession session, String peerFingerprint, String verificationCode) {
            codes.add(verificationCode);
        }

        @Override
        public void onError(VoiceSession session, String message, Throwable cause) {
            errors.add(message);
        }
    }

    private static UdpTransport listenUdp(int port) {
        return UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
    }

    private static void await(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void shouldCarrySpeechEncryptedByDefaultWithTheSameCodeOnBothSides() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, dir);
        Path heard = dir.resolve("heard.wav");
        Observer listenerSide = new Observer();
        Observer callerSide = new Observer();
        UdpTransport listenSide = listenUdp(0);
        try (VoiceSession listener = VoiceSession.builder().transport(listenSide).input(AudioDevices.silence())
                .output(AudioDevices.wavOutput(heard)).listener(listenerSide).build()) {
            assertTrue(listener.transport().isSecure(), "the builder added the secure layer by itself");
            listener.start();
            try (VoiceSession caller = VoiceSession.builder()
                    .transport(UdpTransport.connect("127.0.0.1", listenSide.localPort()))
                    .input(AudioDevices.wav(speech)).output(AudioDevices.nullOutput()).listener(callerSide).build()) {
                assertTrue(caller.transport().isSecure());
                caller.start();
                assertTrue(listener.awaitEnd(Duration.ofSeconds(40)), "the listener ends after the caller's bye");
                SessionStats stats = listener.stats();
                assertEquals(250, stats.framesReceived(), "every frame arrived");
                // On a loaded machine a few may miss their playout time; they are concealed, never lost silently.
                assertEquals(250, stats.framesPlayed() + stats.framesConcealed());
                assertTrue(stats.framesConcealed() <= 12, "concealed " + stats.framesConcealed());
                assertEquals(1, listenerSide.codes.size());
                assertEquals(callerSide.codes, listenerSide.codes, "the users read the same code");
                assertEquals(listenerSide.codes.get(0), stats.verificationCode());
                assertNull(listener.failure());
                assertEquals("the peer ended the call", listener.endReason());
                long payload = stats.get(dev.viz.core.Stat.PAYLOAD_BYTES_RECEIVED);
                long wire = stats.get(dev.viz.core.Stat.WIRE_BYTES_RECEIVED);
                System.out.printf("session: %d payload bytes arrived in %d wire bytes (secure layer, padding and"
                        + " handshake: %.1f %%)%n", payload, wire, 100.0 * (wire - payload) / payload);
            }
        }
        SpeechComparison.Result match = SpeechComparison.compare(TestAudio.samples(TestAudio.SPEECH),
                TestAudio.samples(heard), 48_000, 1000);
        // Opus alone scores about 0.93; a few frames concealed on a loaded machine cost a little more.
        assertTrue(match.correlation() >= 0.85, match.toString());
    }

    /**
     * Forged datagrams of two kinds thrown at a connected listener land in the counter of their kind
     * (the names docs/stats.md and the --stats JSON use) and in the total.
     */
    @Test
    void shouldCountEachKindOfRejectedDatagramUnderItsOwnName() throws Exception {
        UdpTransport listenSide = listenUdp(0);
        try (VoiceSession listener = VoiceSession.builder().transport(listenSide).input(AudioDevices.silence())
                .output(AudioDevices.nullOutput()).build();
                java.nio.channels.DatagramChannel attacker = java.nio.channels.DatagramChannel.open()) {
            listener.start();
            VoiceSession caller = VoiceSession.builder()
                    .transport(UdpTransport.connect("127.0.0.1", listenSide.localPort()))
                    .input(AudioDevices.silence()).output(AudioDevices.nullOutput()).build();
            caller.start();
            await(() -> listener.state() == SessionState.CONNECTED, 10_000, "the call to connect");
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), listenSide.localPort());
            java.util.Random random = new java.util.Random(15);
            byte[] forged = new byte[100];
            for (int i = 0; i < 20; i++) {
                random.nextBytes(forged);
                forged[0] = 4; // DATA to a random session index with a random tag
                attacker.send(java.nio.ByteBuffer.wrap(forged), target);
            }
            for (int i = 0; i < 7; i++) {
                forged[0] = 9; // no such type
                attacker.send(java.nio.ByteBuffer.wrap(forged, 0, 40), target);
            }
            await(() -> listener.stats().get(Stat.DATAGRAMS_REJECTED_UNAUTHENTICATED) >= 20
                    && listener.stats().get(Stat.DATAGRAMS_REJECTED_MALFORMED) >= 7, 5_000, "the rejections counted");
            SessionStats stats = listener.stats();
            assertEquals(20, stats.get(Stat.DATAGRAMS_REJECTED_UNAUTHENTICATED));
            assertEquals(7, stats.get(Stat.DATAGRAMS_REJECTED_MALFORMED));
            long sum = 0;
            for (dev.viz.core.Transport.Rejection why : dev.viz.core.Transport.Rejection.values()) {
                sum += stats.get(Stat.of(why));
            }
            assertEquals(sum, stats.get(Stat.DATAGRAMS_REJECTED), "the total is the sum of the kinds");
            String json = stats.toJson();
            assertTrue(json.contains("\"datagramsRejectedUnauthenticated\": 20"), json);
            assertTrue(json.contains("\"datagramsRejectedMalformed\": 7"), json);
            assertEquals(0, stats.datagramsMalformed(), "none of them reached the session");
            caller.close();
        }
    }

    @Test
    void shouldShowReconnectingWhileTheListenerIsGoneAndResumeByItself() throws Exception {
        Identity listenerId = Identity.generate();
        UdpTransport firstUdp = listenUdp(0);
        int port;
        Observer callerSide = new Observer();
        VoiceSession first = VoiceSession.builder()
                .transport(SecureTransport.wrap(firstUdp).identity(listenerId).build())
                .input(AudioDevices.tone(440)).output(AudioDevices.nullOutput()).build();
        first.start();
        port = firstUdp.localPort();
        try (VoiceSession caller = VoiceSession.builder()
                .transport(SecureTransport.wrap(UdpTransport.connect("127.0.0.1", port)).identity(Identity.generate())
                        .build())
                .input(AudioDevices.tone(330)).output(AudioDevices.nullOutput()).listener(callerSide).build()) {
            caller.start();
            await(() -> first.stats().framesPlayed() > 20 && caller.stats().framesPlayed() > 20, 20_000, "a call");

            // The listening process dies without a bye: its socket is gone.
            first.transport().close();
            await(() -> callerSide.states.contains(SessionState.RECONNECTING), 10_000, "RECONNECTING");
            first.close();

            try (VoiceSession second = VoiceSession.builder()
                    .transport(SecureTransport.wrap(listenUdp(port)).identity(listenerId).build())
                    .input(AudioDevices.tone(440)).output(AudioDevices.nullOutput()).build()) {
                second.start();
                long restartNs = System.nanoTime();
                await(() -> caller.state() == SessionState.CONNECTED && second.stats().framesPlayed() > 5, 10_000,
                        "the call to resume");
                long resumedMs = (System.nanoTime() - restartNs) / 1_000_000L;
                System.out.printf("session: RECONNECTING, then CONNECTED again %d ms after the listener came back%n",
                        resumedMs);
                assertTrue(resumedMs <= 3_000, "resumed after " + resumedMs + " ms");
                assertEquals(2, callerSide.codes.size(), "a new handshake, a new code");
                assertNotNull(caller.stats().verificationCode());
            }
        }
    }

    @Test
    void shouldEndTheCallerWithTheReasonWhenTheSecretIsWrong() throws Exception {
        Observer listenerSide = new Observer();
        UdpTransport listenSide = listenUdp(0);
        byte[] psk = new byte[32];
        byte[] otherPsk = new byte[32];
        otherPsk[31] = 7;
        try (VoiceSession listener = VoiceSession.builder()
                .transport(SecureTransport.wrap(listenSide).identity(Identity.generate()).presharedKey(psk).build())
                .input(AudioDevices.silence()).output(AudioDevices.nullOutput()).listener(listenerSide).build()) {
            listener.start();
            try (VoiceSession caller = VoiceSession.builder()
                    .transport(SecureTransport.wrap(UdpTransport.connect("127.0.0.1", listenSide.localPort()))
                            .identity(Identity.generate()).presharedKey(otherPsk).build())
                    .input(AudioDevices.tone(300)).output(AudioDevices.nullOutput()).build()) {
                caller.start();
                assertTrue(caller.awaitEnd(Duration.ofSeconds(20)), "the caller gives up");
                assertTrue(caller.failure().contains("shared secrets"), caller.failure());
                await(() -> !listenerSide.errors.isEmpty(), 5_000, "the listener to say why");
                assertTrue(listenerSide.errors.get(0).contains("shared-secret check"), listenerSide.errors.get(0));
                assertEquals(SessionState.CONNECTING, listener.state(), "the listener keeps waiting");
                assertEquals(0, listener.stats().framesReceived(), "no audio flowed");
            }
        }
    }
}
