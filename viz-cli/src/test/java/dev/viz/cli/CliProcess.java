package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code viz-cli.jar} in its own JVM, as a user would. */
final class CliProcess {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static Path jar() {
        String jar = System.getProperty("viz.cli.jar", "target/viz-cli.jar");
        Path path = Path.of(jar);
        assertTrue(Files.isRegularFile(path), "the CLI jar " + path.toAbsolutePath() + " is built by 'mvn package'");
        return path;
    }

    /** Starts {@code java -jar viz-cli.jar args} with its config directory under {@code home}. */
    static CliProcess start(Path home, String name, String... args) throws IOException {
        return start(List.of(), List.of(), home, name, args);
    }

    /** The same inside the network namespace {@code netns} ({@code ip netns exec}; null: this one). */
    static CliProcess startIn(String netns, Path home, String name, String... args) throws IOException {
        return start(netns == null ? List.of() : List.of("ip", "netns", "exec", netns), List.of(), home, name, args);
    }

    /**
     * Starts {@code prefix java jvmArgs -jar viz-cli.jar args}: {@code prefix} runs it elsewhere (for
     * example {@code ip netns exec NS}), {@code jvmArgs} set system properties (a trust store).
     */
    static CliProcess start(List<String> prefix, List<String> jvmArgs, Path home, String name, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar().toAbsolutePath().toString());
        command.addAll(List.of(args));
        Files.createDirectories(home);
        Path out = home.resolve(name + ".out");
        Path err = home.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("XDG_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().remove("VIZ_SECRET");
        return new CliProcess(builder.start(), out, err);
    }

    /** Waits for the process to exit; kills it and fails after {@code timeoutS}. */
    int await(long timeoutS) throws InterruptedException, IOException {
        if (!process.waitFor(timeoutS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("viz did not exit within " + timeoutS + " s; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    void kill() {
        process.destroyForcibly();
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
