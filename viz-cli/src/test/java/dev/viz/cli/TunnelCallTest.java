package dev.viz.cli;

import static dev.viz.cli.CliCallTest.jsonLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code viz} processes call each other through the middleboxes that tunnels are made of:
 * nginx terminating TLS and upgrading the WebSocket (what ngrok, Cloudflare Tunnel and Tailscale
 * Funnel do), an OpenSSH reverse forward (localhost.run, a VPS), a port with nothing on UDP, and
 * restarts of the listener and of the proxy in the middle of a call.
 */
@Timeout(90)
class TunnelCallTest {
    @TempDir
    Path home;

    /** The listener hears the caller's speech: every frame arrived, and it sounds the same. */
    private void assertSpeechCarried(Path heard, Path listenerStats, Path callerStats, String what) throws IOException {
        String callerJson = Files.readString(callerStats);
        String listenerJson = Files.readString(listenerStats);
        long sent = jsonLong(callerJson, "framesSent");
        assertEquals(250, sent, "10 s of 40 ms frames");
        assertEquals(sent, jsonLong(listenerJson, "framesReceived"), "every frame sent arrived");
        assertEquals(0, jsonLong(listenerJson, "framesLost"));
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(TestAudio.SPEECH),
                TestAudio.samples(heard), 48_000, 1000);
        System.out.println(what + ": " + match + "; wire bytes sent by the caller " + jsonLong(callerJson, "wireBytesSent")
                + ", batches shed " + jsonLong(callerJson, "streamBatchesDropped") + "; listener played "
                + jsonLong(listenerJson, "framesPlayed") + ", late " + jsonLong(listenerJson, "framesLate") + ", concealed "
                + jsonLong(listenerJson, "framesConcealed") + ", playout delay max " + jsonLong(listenerJson, "playoutDelayMaxMs")
                + " ms");
        assertTrue(match.correlation() >= 0.9, match.toString());
    }

    @Test
    void shouldCarrySpeechThroughNginxTerminatingTlsAndUpgradingTheWebSocket() throws Exception {
        Path nginxDir = Files.createDirectories(home.resolve("nginx"));
        List<String> trust = Lab.selfSignedCertificate(nginxDir);
        int vizPort = CliProcess.freeUdpPort();
        int tlsPort = Lab.freeTcpPort();
        Process nginx = null;
        try {
            Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
            Path heard = home.resolve("heard.wav");
            CliProcess listener = CliProcess.start(home.resolve("alice"), "listener", "-s", String.valueOf(vizPort),
                    "--carriers", "ws", "--input", "silence", "--output", "wav:" + heard, "--stats",
                    home.resolve("l.json").toString(), "--duration", "40");
            Lab.awaitTcp(vizPort, null, home.resolve("alice/listener.err"));
            nginx = Lab.startNginx(nginxDir, tlsPort, vizPort);
            CliProcess caller = CliProcess.start(List.of(), trust, home.resolve("bob"), "caller",
                    "-c", "https://localhost:" + tlsPort, "--input", "wav:" + speech, "--output", "null",
                    "--stats", home.resolve("c.json").toString(), "--duration", "40");
            assertEquals(0, caller.await(60), "caller: " + caller.stderr());
            assertEquals(0, listener.await(30), "listener: " + listener.stderr());
            assertTrue(caller.stderr().contains("connected over WebSocket (TLS) to wss://localhost:" + tlsPort + "/viz"),
                    caller.stderr());
            assertTrue(Files.readString(home.resolve("c.json")).contains("\"carrier\": \"ws\""));
            assertSpeechCarried(heard, home.resolve("l.json"), home.resolve("c.json"), "through nginx (TLS, WebSocket)");
        } finally {
            Lab.stop(nginx);
        }
    }

    @Test
    void shouldRefuseACertificateTheCallerDoesNotTrust() throws Exception {
        Path nginxDir = Files.createDirectories(home.resolve("nginx"));
        Lab.selfSignedCertificate(nginxDir);
        int vizPort = CliProcess.freeUdpPort();
        int tlsPort = Lab.freeTcpPort();
        Process nginx = null;
        CliProcess listener = null;
        try {
            listener = CliProcess.start(home.resolve("alice"), "listener", "-s", String.valueOf(vizPort),
                    "--input", "silence", "--output", "null", "--duration", "20");
            Lab.awaitTcp(vizPort, null, home.resolve("alice/listener.err"));
            nginx = Lab.startNginx(nginxDir, tlsPort, vizPort);
            CliProcess caller = CliProcess.start(home.resolve("bob"), "caller", "-c", "wss://localhost:" + tlsPort,
                    "--input", "silence", "--output", "null", "--duration", "3");
            awaitCount(caller, "cannot reach wss://localhost:" + tlsPort, 1, 15_000);
            caller.kill();
            String err = caller.stderr();
            assertTrue(err.contains("TLS with localhost:" + tlsPort + " failed"), err);
            assertTrue(err.contains("PKIX path building failed") || err.contains("certification path"), err);
            assertTrue(!err.contains("Lifecycle - connected"), err);
        } finally {
            Lab.stop(nginx);
            if (listener != null) {
                listener.kill();
            }
        }
    }

    @Test
    void shouldResumeWithinFiveSecondsWhenTheProxyIsKilledAndRestarted() throws Exception {
        Path nginxDir = Files.createDirectories(home.resolve("nginx"));
        List<String> trust = Lab.selfSignedCertificate(nginxDir);
        int vizPort = CliProcess.freeUdpPort();
        int tlsPort = Lab.freeTcpPort();
        Process nginx = null;
        CliProcess listener = null;
        CliProcess caller = null;
        try {
            listener = CliProcess.start(home.resolve("alice"), "listener", "-s", String.valueOf(vizPort),
                    "--input", "tone:330", "--output", "null", "--duration", "30");
            Lab.awaitTcp(vizPort, null, home.resolve("alice/listener.err"));
            nginx = Lab.startNginx(nginxDir, tlsPort, vizPort);
            caller = CliProcess.start(List.of(), trust, home.resolve("bob"), "caller", "-c", "https://localhost:" + tlsPort,
                    "--input", "tone:440", "--output", "null", "--duration", "30");
            // a JVM start and a TLS handshake through nginx: seconds on a loaded machine (not what is measured here)
            awaitCount(caller, "Lifecycle - connected", 1, 20_000);
            Thread.sleep(2000);
            long cutNs = System.nanoTime();
            Lab.stop(nginx);
            nginx = Lab.startNginx(nginxDir, tlsPort, vizPort);
            awaitCount(caller, "broke: redialling", 1, 5_000);
            long resumedMs = awaitCount(caller, "Lifecycle - connected", 2, 5_000, cutNs);
            System.out.println("proxy killed and restarted: the call resumed after " + resumedMs + " ms");
            assertTrue(resumedMs <= 5_000);
        } finally {
            Lab.stop(nginx);
            kill(listener, caller);
        }
    }

    @Test
    void shouldResumeWithinFiveSecondsWhenTheListenerRestarts() throws Exception {
        int port = CliProcess.freeUdpPort();
        CliProcess listener = null;
        CliProcess second = null;
        CliProcess caller = null;
        try {
            String[] listen = {"-s", String.valueOf(port), "--carriers", "tcp", "--input", "tone:330", "--output", "null",
                "--duration", "30"};
            listener = CliProcess.start(home.resolve("alice"), "listener", listen);
            Lab.awaitTcp(port, null, home.resolve("alice/listener.err"));
            caller = CliProcess.start(home.resolve("bob"), "caller", "-c", "tcp://127.0.0.1:" + port, "--input", "tone:440",
                    "--output", "null", "--duration", "30");
            awaitCount(caller, "Lifecycle - connected", 1, 10_000);
            Thread.sleep(2000);
            long restartNs = System.nanoTime();
            listener.kill();
            listener.await(10);
            second = CliProcess.start(home.resolve("alice"), "listener-again", listen);
            Lab.awaitTcp(port, null, home.resolve("alice/listener-again.err"));
            long backNs = System.nanoTime();
            long resumedMs = awaitCount(caller, "Lifecycle - connected", 2, 8_000, backNs);
            System.out.println("listener restarted: the caller resumed " + resumedMs + " ms after the new listener was"
                    + " listening (" + (backNs - restartNs) / 1_000_000L + " ms after the kill: a JVM start)");
            assertTrue(resumedMs <= 5_000, "resumed after " + resumedMs + " ms: " + caller.stderr());
        } finally {
            kill(listener, second, caller);
        }
    }

    @Test
    void shouldFallBackToTcpWithinFiveSecondsWhenUdpGetsNoAnswer() throws Exception {
        int port = CliProcess.freeUdpPort();
        CliProcess listener = null;
        CliProcess caller = null;
        try {
            listener = CliProcess.start(home.resolve("alice"), "listener", "-s", String.valueOf(port), "--carriers",
                    "tcp,ws", "--input", "tone:330", "--output", "null", "--duration", "20");
            Lab.awaitTcp(port, null, home.resolve("alice/listener.err"));
            long startNs = System.nanoTime();
            caller = CliProcess.start(home.resolve("bob"), "caller", "-c", "127.0.0.1:" + port, "--input", "tone:440",
                    "--output", "null", "--duration", "20");
            long startedMs = awaitCount(caller, "Lifecycle - connected", 1, 12_000, startNs);
            String err = caller.stderr();
            assertTrue(err.contains("no answer over UDP from 127.0.0.1:" + port), err);
            assertTrue(err.contains("connected over TCP (no answer over UDP) to 127.0.0.1:" + port), err);
            long connectedMs = logTime(err, "Lifecycle - connected") - logTime(err, "over UDP (over TCP to the same port");
            System.out.println("fallback: connected over TCP " + connectedMs + " ms after the caller first tried UDP ("
                    + startedMs + " ms after its JVM started)");
            assertTrue(connectedMs <= 5_000, "connected " + connectedMs + " ms after it first tried UDP: " + err);
        } finally {
            kill(listener, caller);
        }
    }

    @Test
    void shouldCarrySpeechOverAnSshReverseForward() throws Exception {
        Lab.requireRoot("sshd with its own host key and a reverse forward");
        Path sshd = Lab.require("sshd", "openssh-server");
        Path ssh = Lab.require("ssh", "openssh-client");
        Path keygen = Lab.require("ssh-keygen", "openssh-client");
        Path dir = Files.createDirectories(home.resolve("ssh"));
        Lab.run(true, keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        Lab.run(true, keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        int sshPort = Lab.freeTcpPort();
        int forwardPort = Lab.freeTcpPort();
        int vizPort = CliProcess.freeUdpPort();
        Files.writeString(dir.resolve("sshd_config"), """
                Port %2$d
                ListenAddress 127.0.0.1
                HostKey %1$s/host_key
                PidFile %1$s/sshd.pid
                AuthorizedKeysFile %1$s/authorized_keys
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                PermitRootLogin prohibit-password
                AllowTcpForwarding yes
                GatewayPorts no
                UsePAM no
                StrictModes no
                """.formatted(dir, sshPort));
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        Process server = null;
        Process forward = null;
        try {
            server = new ProcessBuilder(sshd.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
            Lab.awaitTcp(sshPort, server, dir.resolve("sshd.log"));
            Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
            Path heard = home.resolve("heard.wav");
            CliProcess listener = CliProcess.start(home.resolve("alice"), "listener", "-s", String.valueOf(vizPort),
                    "--input", "silence", "--output", "wav:" + heard, "--stats", home.resolve("l.json").toString(),
                    "--duration", "40");
            Lab.awaitTcp(vizPort, null, home.resolve("alice/listener.err"));
            forward = new ProcessBuilder(ssh.toString(), "-N", "-T", "-o", "StrictHostKeyChecking=no", "-o",
                    "UserKnownHostsFile=/dev/null", "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",
                    "-i", dir.resolve("client_key").toString(), "-p", String.valueOf(sshPort),
                    "-R", "127.0.0.1:" + forwardPort + ":127.0.0.1:" + vizPort, "root@127.0.0.1")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("ssh.log").toFile()).start();
            Lab.awaitTcp(forwardPort, forward, dir.resolve("ssh.log"));
            CliProcess caller = CliProcess.start(home.resolve("bob"), "caller", "-c", "tcp://127.0.0.1:" + forwardPort,
                    "--input", "wav:" + speech, "--output", "null", "--stats", home.resolve("c.json").toString(),
                    "--duration", "40");
            assertEquals(0, caller.await(60), "caller: " + caller.stderr());
            assertEquals(0, listener.await(30), "listener: " + listener.stderr());
            assertTrue(Files.readString(home.resolve("l.json")).contains("\"carrier\": \"tcp\""));
            assertSpeechCarried(heard, home.resolve("l.json"), home.resolve("c.json"), "through ssh -R (raw TCP)");
        } finally {
            Lab.stop(forward);
            Lab.stop(server);
        }
    }

    /** The time of day, in ms, of the first log line holding {@code text} ("HH:mm:ss.SSS [INFO] ..."). */
    private static long logTime(String log, String text) {
        int i = log.indexOf(text);
        assertTrue(i >= 0, text + " in " + log);
        int line = log.lastIndexOf('\n', i) + 1;
        String[] t = log.substring(line, line + 12).split("[:.]");
        return ((Long.parseLong(t[0]) * 60 + Long.parseLong(t[1])) * 60 + Long.parseLong(t[2])) * 1000 + Long.parseLong(t[3]);
    }

    private static void kill(CliProcess... processes) {
        for (CliProcess p : processes) {
            if (p != null) {
                p.kill();
            }
        }
    }

    private static long awaitCount(CliProcess p, String text, int count, long timeoutMs) throws Exception {
        return awaitCount(p, text, count, timeoutMs, System.nanoTime());
    }

    /** Waits until {@code text} appears {@code count} times in the process's stderr; returns ms since {@code sinceNs}. */
    private static long awaitCount(CliProcess p, String text, int count, long timeoutMs, long sinceNs) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            String err = p.stderr();
            int n = 0;
            for (int i = err.indexOf(text); i >= 0; i = err.indexOf(text, i + 1)) {
                n++;
            }
            if (n >= count) {
                return (System.nanoTime() - sinceNs) / 1_000_000L;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + text + "' " + count + " times within " + timeoutMs + " ms; stderr:\n" + err);
            }
            Thread.sleep(50);
        }
    }
}
