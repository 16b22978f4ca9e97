package dev.viz.transport.turn;

import dev.viz.transport.turn.internal.StunMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real coturn {@code turnserver} on loopback for a test: long-term users or a shared secret for
 * time-limited credentials, UDP and TCP on one port and TLS on another (a self-signed certificate
 * for 127.0.0.1 made with openssl, trusted by {@link #sslContext()}). Ready when it answers a STUN
 * Binding request.
 */
final class Coturn implements AutoCloseable {
    static final String REALM = "viz.test";
    static final String USER = "alice";
    static final String PASSWORD = "correct horse";
    static final String SECRET = "coturn-shared-secret";

    final int port;
    final int tlsPort;
    final Path dir;
    private Process process;
    private final Path cert;
    private final List<String> command;

    private Coturn(int port, int tlsPort, Path dir, Process process, Path cert, List<String> command) {
        this.port = port;
        this.tlsPort = tlsPort;
        this.dir = dir;
        this.process = process;
        this.cert = cert;
        this.command = command;
    }

    /** Kills the relay and starts it again on the same ports: every allocation is forgotten. */
    void restart() throws Exception {
        kill();
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("turn.out").toFile())).start();
        awaitReady();
    }

    /** Why coturn cannot run here, or null when it can. */
    static String unavailable() {
        for (String binary : new String[] {"turnserver", "openssl"}) {
            if (!onPath(binary)) {
                return binary + " is not installed (apt-get install coturn openssl; .ci/run installs them)";
            }
        }
        return null;
    }

    static boolean onPath(String binary) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, binary))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", binary)) || Files.isExecutable(Path.of("/usr/bin", binary));
    }

    /** Long-term credentials: user {@link #USER}, password {@link #PASSWORD}. */
    static Coturn longTerm(Path dir) throws Exception {
        return start(dir, List.of("--lt-cred-mech", "--user", USER + ":" + PASSWORD));
    }

    /** coturn's {@code use-auth-secret} mode: time-limited credentials made from {@link #SECRET}. */
    static Coturn timeLimited(Path dir) throws Exception {
        return start(dir, List.of("--use-auth-secret", "--static-auth-secret", SECRET));
    }

    private static Coturn start(Path dir, List<String> auth) throws Exception {
        Files.createDirectories(dir);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString()));
        int port = freePort();
        int tlsPort = freePort();
        List<String> command = new ArrayList<>(List.of("turnserver", "-n", "--listening-ip", "127.0.0.1",
                "--relay-ip", "127.0.0.1", "--listening-port", String.valueOf(port),
                "--tls-listening-port", String.valueOf(tlsPort), "--cert", cert.toString(), "--pkey", key.toString(),
                "--no-dtls", "--allow-loopback-peers", "--realm", REALM, "--no-cli", "--simple-log",
                "--log-file", dir.resolve("turn.log").toString(), "--userdb", dir.resolve("turndb").toString(),
                "--pidfile", dir.resolve("turn.pid").toString(), "--min-port", "40000", "--max-port", "60000", "-v"));
        command.addAll(auth);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("turn.out").toFile()).start();
        Coturn coturn = new Coturn(port, tlsPort, dir, process, cert, command);
        try {
            coturn.awaitReady();
        } catch (Exception e) {
            coturn.close();
            throw e;
        }
        return coturn;
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream out = p.getInputStream()) {
            String text = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(command.get(0) + " failed: " + text);
            }
        }
    }

    /** A port free for both UDP and TCP on loopback. */
    static int freePort() throws IOException {
        Random random = new Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int p = 20_000 + random.nextInt(15_000);
            try (DatagramSocket u = new DatagramSocket(p, InetAddress.getLoopbackAddress());
                    ServerSocket t = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no free port");
    }

    private void awaitReady() throws Exception {
        byte[] id = new byte[12];
        byte[] request = new byte[64];
        int n = new StunMessage().begin(request, 0, StunMessage.BINDING, StunMessage.REQUEST, id, 0).end();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(100);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("turnserver exited: " + log());
                }
                s.send(new DatagramPacket(request, n, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
                try {
                    s.receive(new DatagramPacket(new byte[512], 512));
                    return;
                } catch (java.net.SocketTimeoutException notYet) {
                    // retry
                }
            }
        }
        throw new IOException("turnserver did not answer within 30 s: " + log());
    }

    String log() {
        try {
            Path out = dir.resolve("turn.out");
            return Files.exists(out) ? Files.readString(out) : "(no output)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    TurnServer udp() {
        return TurnServer.parse("turn:127.0.0.1:" + port).withCredentials(USER, PASSWORD);
    }

    TurnServer tcp() {
        return TurnServer.parse("turn:127.0.0.1:" + port + "?transport=tcp").withCredentials(USER, PASSWORD);
    }

    TurnServer tls() {
        return TurnServer.parse("turns:127.0.0.1:" + tlsPort).withCredentials(USER, PASSWORD);
    }

    /** Trusts this coturn's self-signed certificate only. */
    SSLContext sslContext() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("coturn", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** Stops it hard (a crash, or an operator's restart). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
