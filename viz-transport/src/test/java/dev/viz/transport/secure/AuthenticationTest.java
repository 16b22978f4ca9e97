package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.transport.udp.UdpTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three ways to authenticate, against a real man in the middle: a relay that runs its own
 * handshake with each side and forwards the audio between them.
 */
@Timeout(120)
class AuthenticationTest {
    private final Identity callerId = Identity.generate();
    private final Identity listenerId = Identity.generate();
    private final Identity mitmId = Identity.generate();
    private static final byte[] PSK = new byte[32];
    private static final byte[] OTHER_PSK = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            PSK[i] = (byte) i;
            OTHER_PSK[i] = (byte) (i + 1);
        }
    }

    @TempDir
    Path dir;

    /** A man in the middle: answers the caller as if it were the listener and calls the listener itself. */
    static final class Mitm implements AutoCloseable {
        final Endpoint front;
        final Endpoint back;

        Mitm(Identity identity, SecureTransport.Builder frontConfig, SecureTransport.Builder backConfig)
                throws Exception {
            this.front = Endpoint.open("mitm-front", frontConfig.identity(identity));
            this.back = Endpoint.open("mitm-back", backConfig.identity(identity));
        }

        /** Polls both halves and forwards what each receives to the other. */
        void poll() {
            int f = front.received.size();
            int b = back.received.size();
            front.poll();
            back.poll();
            for (int i = f; i < front.received.size(); i++) {
                back.send(front.received.get(i));
            }
            for (int i = b; i < back.received.size(); i++) {
                front.send(back.received.get(i));
            }
        }

        @Override
        public void close() {
            front.close();
            back.close();
        }
    }

    private record Setup(Endpoint caller, Endpoint listener, Mitm mitm) implements AutoCloseable {
        void pumpUntil(BooleanSupplier condition, long timeoutMs, String what) {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (!condition.getAsBoolean()) {
                assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
                caller.poll();
                listener.poll();
                mitm.poll();
                Thread.onSpinWait();
            }
        }

        void pumpFor(long ms) {
            long until = System.nanoTime() + ms * 1_000_000L;
            while (System.nanoTime() < until) {
                caller.poll();
                listener.poll();
                mitm.poll();
            }
        }

        @Override
        public void close() {
            caller.close();
            listener.close();
            mitm.close();
        }
    }

    /** listener <- mitm.back ... mitm.front <- caller, over UDP on loopback. */
    private Setup throughMitm(UnaryOperator<SecureTransport.Builder> callerExtra,
            UnaryOperator<SecureTransport.Builder> listenerExtra, byte[] mitmPsk) throws Exception {
        UdpTransport listenUdp = Endpoint.udpListener();
        Endpoint listener = Endpoint.open("listener", listenerExtra.apply(SecureTransport.wrap(listenUdp))
                .identity(listenerId));
        UdpTransport frontUdp = Endpoint.udpListener();
        SecureTransport.Builder front = SecureTransport.wrap(frontUdp).presharedKey(mitmPsk);
        SecureTransport.Builder back = SecureTransport.wrap(Endpoint.udpCaller(listenUdp.localPort())).presharedKey(mitmPsk);
        Mitm mitm = new Mitm(mitmId, front, back);
        Endpoint caller = Endpoint.open("caller", callerExtra.apply(
                SecureTransport.wrap(Endpoint.udpCaller(frontUdp.localPort()))).identity(callerId));
        return new Setup(caller, listener, mitm);
    }

    @Test
    void shouldShowDifferentCodesWhenAManInTheMiddleRunsItsOwnHandshakes() throws Exception {
        try (Setup s = throughMitm(b -> b, b -> b, null)) {
            s.pumpUntil(() -> s.caller.isReady() && s.listener.isReady(), 10_000, "both sides secured via the relay");
            // The relay reads and forwards the audio: only the codes can tell.
            s.caller.send("hello".getBytes());
            s.pumpUntil(() -> s.listener.received.size() == 1, 5_000, "forwarded audio");
            assertArrayEquals("hello".getBytes(), s.listener.received.get(0));
            assertNotEquals(s.caller.lastCode(), s.listener.lastCode(), "the two users see different codes");
            assertEquals(s.caller.lastCode(), s.mitm.front.lastCode());
            assertEquals(s.listener.lastCode(), s.mitm.back.lastCode());
            assertEquals(mitmId.fingerprint(), s.caller.transport.peerFingerprint(), "the caller sees the relay's key");
        }
    }

    @Test
    void shouldRefuseTheManInTheMiddleWhenTheCallerPinsTheListenersKey() throws Exception {
        try (Setup s = throughMitm(b -> b.peerKey(listenerId.fingerprint()), b -> b, null)) {
            s.pumpUntil(() -> s.caller.failure != null, 10_000, "the caller to refuse the relay's key");
            assertTrue(s.caller.failure.contains("--peer-key"), s.caller.failure);
            assertTrue(s.caller.failure.contains(mitmId.fingerprint()), "names the key it met: " + s.caller.failure);
            assertTrue(s.caller.failure.contains(listenerId.fingerprint()), "names the key it expected");
            assertFalse(s.caller.isReady());
            s.pumpFor(300);
            assertEquals(0, s.caller.transport.handshakesCompleted());
            assertTrue(s.listener.received.isEmpty(), "no audio reached the listener");
            assertTrue(s.caller.received.isEmpty());
        }
    }

    @Test
    void shouldRefuseTheManInTheMiddleWhenBothSidesShareASecretItLacks() throws Exception {
        try (Setup s = throughMitm(b -> b.presharedKey(PSK), b -> b.presharedKey(PSK), OTHER_PSK)) {
            s.pumpUntil(() -> s.caller.failure != null && !s.listener.warnings.isEmpty(), 10_000,
                    "both sides to say why");
            assertTrue(s.caller.failure.contains("shared secrets"), s.caller.failure);
            assertTrue(s.listener.warnings.get(0).contains("shared-secret check"), s.listener.warnings.get(0));
            assertFalse(s.caller.isReady());
            assertFalse(s.listener.isReady());
            assertEquals(0, s.listener.transport.handshakesCompleted());
            assertTrue(s.listener.received.isEmpty() && s.caller.received.isEmpty(), "no audio flows");
        }
    }

    @Test
    void shouldRefuseAManInTheMiddleWithoutAnySecret() throws Exception {
        try (Setup s = throughMitm(b -> b.presharedKey(PSK), b -> b.presharedKey(PSK), null)) {
            s.pumpUntil(() -> s.caller.failure != null && !s.listener.warnings.isEmpty(), 10_000,
                    "both sides to say why");
            assertTrue(s.caller.failure.contains("has no shared secret but this side has one"), s.caller.failure);
            assertTrue(s.listener.warnings.get(0).contains("has no shared secret but this side requires one"),
                    s.listener.warnings.get(0));
            s.pumpFor(300);
            assertEquals(0, s.listener.transport.handshakesCompleted());
            assertFalse(s.caller.isReady());
        }
    }

    @Test
    void shouldConnectWithTheSameSecretStretchedOnBothSides() throws Exception {
        Endpoint[] pair = Calls.udp(b -> b.identity(callerId).secret("correct horse battery staple".toCharArray()),
                b -> b.identity(listenerId).secret("correct horse battery staple".toCharArray()));
        try (Endpoint caller = pair[0]; Endpoint listener = pair[1]) {
            Calls.awaitSecured(caller, listener);
            assertEquals(caller.lastCode(), listener.lastCode());
            caller.send(new byte[] {42});
            Endpoint.pumpUntil(() -> listener.received.size() == 1, 5_000, "audio", caller, listener);
        }
    }

    @Test
    void shouldFailOnBothSidesWithAWrongSecretAndLetNoAudioThrough() throws Exception {
        Endpoint[] pair = Calls.udp(b -> b.identity(callerId).secret("correct horse battery staple".toCharArray()),
                b -> b.identity(listenerId).secret("correct horse battery stapler".toCharArray()));
        try (Endpoint caller = pair[0]; Endpoint listener = pair[1]) {
            Endpoint.pumpUntil(() -> caller.failure != null && !listener.warnings.isEmpty(), 10_000,
                    "both sides to say why", caller, listener);
            System.out.println("wrong secret, caller: " + caller.failure);
            System.out.println("wrong secret, listener: " + listener.warnings.get(0));
            assertTrue(caller.failure.contains("shared secrets (--secret or VIZ_SECRET) differ"), caller.failure);
            assertTrue(listener.warnings.get(0).contains("secret"), listener.warnings.get(0));
            assertFalse(caller.isReady());
            assertFalse(listener.isReady());
            assertTrue(caller.send(new byte[] {1}) < 0, "nothing can be sent");
            assertTrue(listener.received.isEmpty());
        }
    }

    @Test
    void shouldExplainWhenOnlyTheListenerHasASecret() throws Exception {
        Endpoint[] pair = Calls.udp(Calls.with(callerId), b -> b.identity(listenerId).presharedKey(PSK));
        try (Endpoint caller = pair[0]; Endpoint listener = pair[1]) {
            Endpoint.pumpUntil(() -> caller.failure != null && !listener.warnings.isEmpty(), 10_000,
                    "both sides to say why", caller, listener);
            assertTrue(caller.failure.contains("requires a shared secret"), caller.failure);
            assertTrue(listener.warnings.get(0).contains("requires one"), listener.warnings.get(0));
        }
    }

    @Test
    void shouldConnectWithTheRightPinAndRefuseTheWrongOneOnEitherSide() throws Exception {
        Endpoint[] good = Calls.udp(b -> b.identity(callerId).peerKey(listenerId.fingerprint()),
                b -> b.identity(listenerId).peerKey(callerId.fingerprint()));
        try (Endpoint caller = good[0]; Endpoint listener = good[1]) {
            Calls.awaitSecured(caller, listener);
        }
        Identity stranger = Identity.generate();
        Endpoint[] bad = Calls.udp(Calls.with(stranger), b -> b.identity(listenerId).peerKey(callerId.fingerprint()));
        try (Endpoint caller = bad[0]; Endpoint listener = bad[1]) {
            Endpoint.pumpUntil(() -> caller.failure != null && !listener.warnings.isEmpty(), 10_000,
                    "both sides to say why", caller, listener);
            assertTrue(listener.warnings.get(0).contains(stranger.fingerprint()), listener.warnings.get(0));
            assertTrue(caller.failure.contains("refused"), caller.failure);
            assertEquals(0, listener.transport.handshakesCompleted());
        }
    }

    @Test
    void shouldRememberAPeerAndWarnLoudlyWhenItsKeyChanges() throws Exception {
        Path file = dir.resolve("known_peers");
        KnownPeers known = KnownPeers.open(file);
        Endpoint[] first = Calls.udp(b -> b.identity(callerId).knownPeers(known, "voice.example:8443"),
                Calls.with(listenerId));
        try (Endpoint caller = first[0]; Endpoint listener = first[1]) {
            Calls.awaitSecured(caller, listener);
            assertTrue(caller.warnings.isEmpty());
        }
        assertTrue(Files.readString(file).contains("voice.example:8443 " + listenerId.fingerprint()));

        KnownPeers reread = KnownPeers.open(file);
        Endpoint[] again = Calls.udp(b -> b.identity(callerId).knownPeers(reread, "voice.example:8443"),
                Calls.with(listenerId));
        try (Endpoint caller = again[0]; Endpoint listener = again[1]) {
            Calls.awaitSecured(caller, listener);
            assertTrue(caller.warnings.isEmpty(), "same key, no warning");
        }

        Identity impostor = Identity.generate();
        KnownPeers later = KnownPeers.open(file);
        Endpoint[] changed = Calls.udp(b -> b.identity(callerId).knownPeers(later, "voice.example:8443"),
                Calls.with(impostor));
        try (Endpoint caller = changed[0]; Endpoint listener = changed[1]) {
            Calls.awaitSecured(caller, listener);
            List<String> warnings = caller.allWarnings();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("HAS CHANGED"), warnings.get(0));
            assertTrue(warnings.get(0).contains(impostor.fingerprint()));
            assertTrue(warnings.get(0).contains(file.toString()), "says which file to edit");
        }
        assertEquals(listenerId.fingerprint(), KnownPeers.open(file).fingerprint("voice.example:8443"),
                "the first key stays remembered");
    }

    @Test
    void shouldKeepTheNoCodeStateOnAFailedHandshake() throws Exception {
        Endpoint[] pair = Calls.udp(b -> b.identity(callerId).peerKey(Identity.generate().fingerprint()),
                Calls.with(listenerId));
        try (Endpoint caller = pair[0]; Endpoint listener = pair[1]) {
            Endpoint.pumpUntil(() -> caller.failure != null, 10_000, "failure", caller, listener);
            assertNull(caller.transport.verificationCode());
            assertEquals(caller.failure, caller.transport.failure());
        }
    }
}
