package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code viz} processes call each other through a real coturn on loopback, the way two users
 * behind NAT would: the listener prints an invite, the caller pastes it.
 */
@Timeout(120)
class CliRelayCallTest {
    static final String USER = "alice";
    static final String PASSWORD = "pw-for-relay";
    static final String SECRET = "relay-shared-secret";
    static Process coturn;
    static Process coturnWithSecret;
    static int port;
    static int secretPort;

    @TempDir
    Path home;

    @BeforeAll
    static void startRelays() throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/turnserver"));
        if (!installed) {
            System.out.println("SKIPPED: coturn is not installed (apt-get install coturn; .ci/run installs it)");
        }
        assumeTrue(installed, "coturn is not installed");
        Path dir = Files.createTempDirectory("vzt-cli-coturn");
        port = freePort();
        coturn = start(dir.resolve("a"), port, List.of("--lt-cred-mech", "--user", USER + ":" + PASSWORD));
        secretPort = freePort();
        coturnWithSecret = start(dir.resolve("b"), secretPort, List.of("--use-auth-secret", "--static-auth-secret", SECRET));
    }

    @AfterAll
    static void stopRelays() {
        for (Process p : new Process[] {coturn, coturnWithSecret}) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    static Process start(Path dir, int port, List<String> auth) throws Exception {
        Files.createDirectories(dir);
        List<String> command = new java.util.ArrayList<>(List.of("turnserver", "-n", "--listening-ip", "127.0.0.1",
                "--relay-ip", "127.0.0.1", "--listening-port", String.valueOf(port), "--no-tls", "--no-dtls",
                "--allow-loopback-peers", "--realm", "viz.test", "--no-cli", "--simple-log", "--log-file",
                dir.resolve("turn.log").toString(), "--userdb", dir.resolve("turndb").toString(), "--pidfile",
                dir.resolve("pid").toString(), "--min-port", "40000", "--max-port", "60000", "-v"));
        command.addAll(auth);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
        byte[] binding = {0, 1, 0, 0, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(100);
            while (System.nanoTime() < deadline) {
                s.send(new DatagramPacket(binding, binding.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
                try {
                    s.receive(new DatagramPacket(new byte[512], 512));
                    return p;
                } catch (java.net.SocketTimeoutException notYet) {
                    // retry
                }
            }
        }
        p.destroyForcibly();
        throw new IOException("turnserver did not start: " + Files.readString(dir.resolve("out")));
    }

    static int freePort() throws IOException {
        Random random = new Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int p = 20_000 + random.nextInt(15_000);
            try (DatagramSocket u = new DatagramSocket(p, InetAddress.getLoopbackAddress());
                    ServerSocket t = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException busy) {
                // another
            }
        }
        throw new IOException("no free port");
    }

    /** Waits for the listener's invite on its standard output. */
    static String awaitInvite(CliProcess listener) throws Exception {
        Pattern line = Pattern.compile("viz -c '(viz:[^']+)'");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (System.nanoTime() < deadline) {
            Matcher m = line.matcher(listener.stdout());
            if (m.find()) {
                return m.group(1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no invite printed; stderr:\n" + listener.stderr());
    }

    static long awaitText(CliProcess p, String text, long startNs) throws Exception {
        long deadline = startNs + TimeUnit.SECONDS.toNanos(45);
        while (System.nanoTime() < deadline) {
            if (p.stderr().contains(text)) {
                return System.nanoTime() - startNs;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("'" + text + "' never appeared:\n" + p.stderr());
    }

    @Test
    void shouldCallThroughTheRelayWithTheInviteAndCarrySpeech() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        Path heard = home.resolve("heard.wav");
        Path listenerStats = home.resolve("listener.json");
        Path callerStats = home.resolve("caller.json");
        // Both ends on one host would find a direct path at once (127.0.0.1): this test is the relay's.
        CliProcess listener = CliProcess.start(home.resolve("alice"), "listener", "-s", "--direct", "off",
                "--relay", "turn:" + USER + ":" + PASSWORD + "@127.0.0.1:" + port,
                "--input", "silence", "--output", "wav:" + heard, "--stats", listenerStats.toString(), "--duration", "40");
        String invite = awaitInvite(listener);
        long start = System.nanoTime();
        CliProcess caller = CliProcess.start(home.resolve("bob"), "caller", "-c", invite, "--direct", "off",
                "--input", "wav:" + speech, "--output", "null", "--stats", callerStats.toString(), "--duration", "40");
        long startedNs = awaitText(caller, "your key fingerprint", start);
        long securedNs = awaitText(caller, "secured with peer key", start);
        assertEquals(0, caller.await(60), "caller: " + caller.stderr());
        assertEquals(0, listener.await(30), "listener: " + listener.stderr());

        String callerJson = Files.readString(callerStats);
        String listenerJson = Files.readString(listenerStats);
        long datagrams = CliCallTest.jsonLong(callerJson, "datagramsSent");
        long wire = CliCallTest.jsonLong(callerJson, "wireBytesSent");
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(TestAudio.SPEECH), TestAudio.samples(heard),
                48_000, 1000);
        System.out.printf("CLI call through coturn: %s; caller start (new JVM) to its identity loaded %.0f ms, to secured"
                + " call %.0f ms; %d datagrams,"
                + " %d wire bytes sent by the caller (%.1f per datagram, secure layer and ChannelData included)%n",
                match, startedNs / 1e6, securedNs / 1e6, datagrams, wire, (double) wire / datagrams);
        assertTrue(match.correlation() >= 0.9, match + "; the listener counted late " + CliCallTest.jsonLong(listenerJson,
                "framesLate") + " and concealed " + CliCallTest.jsonLong(listenerJson, "framesConcealed") + " of "
                + CliCallTest.jsonLong(listenerJson, "framesReceived") + " frames received");
        // The JVM's own start on this shared 2-core machine is left out: from the caller's program running (its key
        // loaded) to a secured call: allocation, channel, Noise handshake, through the relay.
        assertTrue(securedNs - startedNs <= TimeUnit.SECONDS.toNanos(3),
                "secured within 3 s of the caller's program start: " + (securedNs - startedNs) / 1e6 + " ms");
        assertEquals(CliCallTest.jsonLong(callerJson, "framesSent"), CliCallTest.jsonLong(listenerJson, "framesReceived"));
        String err = listener.stderr();
        assertTrue(err.contains("path: relay"), err);
        assertTrue(err.contains("send your peer this line"), err);
        assertTrue(caller.stderr().contains("calling through the relay"), caller.stderr());
        assertFalse(caller.stderr().contains(PASSWORD), "the caller never prints the relay's password");
    }

    @Test
    void shouldHandOutTimeLimitedCredentialsNeverTheSecret() throws Exception {
        CliProcess listener = CliProcess.start(home.resolve("alice"), "listener-secret", "-s",
                "--relay", "turn:127.0.0.1:" + secretPort, "--relay-secret", SECRET,
                "--input", "silence", "--output", "null", "--duration", "2");
        String invite = awaitInvite(listener);
        assertFalse(invite.contains(SECRET), invite);
        assertTrue(invite.contains("&expires="), invite);
        assertTrue(listener.stderr().contains("valid until"), listener.stderr());
        CliProcess caller = CliProcess.start(home.resolve("bob"), "caller-secret", "-c", invite,
                "--input", "tone:440", "--output", "null", "--duration", "2");
        assertEquals(0, caller.await(60), caller.stderr());
        assertEquals(0, listener.await(30), listener.stderr());
        assertTrue(caller.stderr().contains("secured with peer key"), caller.stderr());
    }

    @Test
    void shouldRefuseAnExpiredInviteAndWrongRelayCredentialsClearly() throws Exception {
        String expired = "viz:relay?peer=127.0.0.1:40000&turn=" + java.net.URLEncoder.encode(
                "turn:1000%3Aviz:x@127.0.0.1:" + port, java.nio.charset.StandardCharsets.UTF_8) + "&key=K&expires=1000";
        CliProcess old = CliProcess.start(home, "expired", "-c", expired, "--input", "silence", "--output", "null");
        assertEquals(2, old.await(30), old.stderr());
        assertTrue(old.stderr().contains("this invite expired at 1970-01-01T00:16:40Z: ask the listener for a new one"),
                old.stderr());

        String wrong = "viz:relay?peer=127.0.0.1:40000&turn=" + java.net.URLEncoder.encode(
                "turn:" + USER + ":nope@127.0.0.1:" + port, java.nio.charset.StandardCharsets.UTF_8) + "&key=" + "a".repeat(52);
        CliProcess refused = CliProcess.start(home, "wrong", "-c", wrong, "--input", "silence", "--output", "null");
        assertEquals(1, refused.await(30), refused.stderr());
        assertTrue(refused.stderr().contains("refused the credentials"), refused.stderr());

        CliProcess noRelay = CliProcess.start(home, "norelay", "-s", "--input", "silence", "--output", "null");
        assertEquals(2, noRelay.await(30), noRelay.stderr());
        assertTrue(noRelay.stderr().contains("-s needs a PORT, or --relay URI"), noRelay.stderr());
    }

    @Test
    void shouldMoveATunnelCallToADirectPathWithStun() throws Exception {
        Path listenerStats = home.resolve("tunnel-listener.json");
        Path callerStats = home.resolve("tunnel-caller.json");
        int callPort = CliProcess.freeUdpPort();
        String stun = "127.0.0.1:" + port; // coturn answers STUN Binding requests on its listening port
        CliProcess listener = CliProcess.start(home.resolve("alice"), "tunnel-listener", "-s", "" + callPort,
                "--carriers", "tcp", "--stun", stun, "--input", "tone:440", "--output", "null",
                "--stats", listenerStats.toString(), "--duration", "8");
        awaitText(listener, "listening", System.nanoTime());
        CliProcess caller = CliProcess.start(home.resolve("bob"), "tunnel-caller", "-c", "tcp://127.0.0.1:" + callPort,
                "--stun", stun, "--input", "tone:440", "--output", "null", "--stats", callerStats.toString(),
                "--duration", "6");
        long directNs = awaitText(caller, "(direct)", System.nanoTime());
        assertEquals(0, caller.await(60), "caller: " + caller.stderr());
        assertEquals(0, listener.await(30), "listener: " + listener.stderr());
        String callerJson = Files.readString(callerStats);
        String listenerJson = Files.readString(listenerStats);
        System.out.printf("tunnel call with --stun: direct %.0f ms after the caller started; caller's data datagrams"
                + " on the tunnel %d, direct %d; listener's received on the tunnel %d, direct %d%n", directNs / 1e6,
                CliCallTest.jsonLong(callerJson, "fallbackDataSent"), CliCallTest.jsonLong(callerJson, "directDataSent"),
                CliCallTest.jsonLong(listenerJson, "fallbackDataReceived"),
                CliCallTest.jsonLong(listenerJson, "directDataReceived"));
        assertTrue(caller.stderr().contains("(tunnel)"), "it started on the tunnel: " + caller.stderr());
        assertEquals("direct", CliCallTest.jsonText(callerJson, "path"));
        assertEquals("direct", CliCallTest.jsonText(listenerJson, "path"));
        assertTrue(CliCallTest.jsonLong(callerJson, "directDataSent") > CliCallTest.jsonLong(callerJson, "fallbackDataSent"),
                callerJson);
    }
}
