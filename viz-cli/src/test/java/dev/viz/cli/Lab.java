package dev.viz.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real middleboxes for the tunnel tests: commands run to completion, binaries looked up, and
 * assumptions that skip a test with the reason when this machine cannot run it.
 */
final class Lab {
    private Lab() {
    }

    /** Runs a command to its end; returns its output (stdout and stderr); fails on a non-zero exit when {@code check}. */
    static String run(boolean check, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        if (check && p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        }
        return out;
    }

    /** The path of an executable among the usual directories, or null. */
    static Path find(String name) {
        for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static Path require(String name, String debianPackage) {
        Path p = find(name);
        Assumptions.assumeTrue(p != null, () -> {
            String why = "skipped: " + name + " is not installed (apt-get install " + debianPackage + "; .ci/run does)";
            System.out.println(why);
            return why;
        });
        return p;
    }

    static void requireRoot(String what) throws IOException, InterruptedException {
        boolean root = "0".equals(run(false, "id", "-u").trim());
        Assumptions.assumeTrue(root, () -> {
            String why = "skipped: " + what + " needs root";
            System.out.println(why);
            return why;
        });
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A self-signed certificate for localhost and 127.0.0.1, its key, and a PKCS#12 trust store holding it. */
    static List<String> selfSignedCertificate(Path dir) throws IOException, InterruptedException {
        Path openssl = require("openssl", "openssl");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        run(true, openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        run(true, keytool.toString(), "-importcert", "-noprompt", "-alias", "viz-test", "-file",
                dir.resolve("cert.pem").toString(), "-keystore", dir.resolve("trust.p12").toString(), "-storetype",
                "PKCS12", "-storepass", "changeit");
        List<String> jvm = new ArrayList<>();
        jvm.add("-Djavax.net.ssl.trustStore=" + dir.resolve("trust.p12"));
        jvm.add("-Djavax.net.ssl.trustStorePassword=changeit");
        jvm.add("-Djavax.net.ssl.trustStoreType=PKCS12");
        return jvm;
    }

    /** nginx in the foreground (one process), terminating TLS on {@code port} and proxying WebSockets to {@code backend}. */
    static Process startNginx(Path dir, int port, int backend) throws IOException, InterruptedException {
        Path nginx = require("nginx", "nginx-light");
        Files.createDirectories(dir.resolve("temp"));
        String conf = """
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/temp/body;
                    proxy_temp_path %1$s/temp/proxy;
                    fastcgi_temp_path %1$s/temp/fastcgi;
                    uwsgi_temp_path %1$s/temp/uwsgi;
                    scgi_temp_path %1$s/temp/scgi;
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        server_name localhost;
                        ssl_certificate %1$s/cert.pem;
                        ssl_certificate_key %1$s/key.pem;
                        location / {
                            proxy_pass http://127.0.0.1:%3$d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection "upgrade";
                            proxy_read_timeout 60s;
                        }
                    }
                }
                """.formatted(dir, port, backend);
        Files.writeString(dir.resolve("nginx.conf"), conf);
        Process p = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        awaitTcp(port, p, dir.resolve("error.log"));
        return p;
    }

    /** Waits until something accepts on loopback {@code port}. */
    static void awaitTcp(int port, Process owner, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (owner != null && !owner.isAlive()) {
                    throw new IOException("the process for port " + port + " exited: "
                            + (Files.exists(log) ? Files.readString(log) : ""));
                }
                Thread.sleep(50);
            }
        }
        throw new IOException("nothing listens on " + port + (Files.exists(log) ? ": " + Files.readString(log) : ""));
    }

    /** Kills a process and waits for it to be gone. */
    static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
