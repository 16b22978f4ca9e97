package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two launchers: {@code bin/viz} of the self-contained archive runs the demo from the unpacked
 * archive with no Java on the machine as far as it can tell ({@code JAVA_HOME} unset, a {@code PATH}
 * with no {@code java}); the script beside the fat jar runs it on the Java it finds and says what to
 * install when there is none.
 */
@Timeout(120)
class DistributionTest {
    @TempDir
    Path dir;

    @Test
    void shouldRunTheDemoFromTheUnpackedArchiveWithoutJavaInstalled() throws Exception {
        Path archive = Path.of(System.getProperty("viz.dist.archive", "target/none.tar.gz"));
        assumeTrue(Files.isRegularFile(archive), "the archive " + archive.getFileName()
                + " is built only with the dist profile (mvn -Pdist verify; .ci/run does)");
        assertEquals(0, run(List.of("tar", "xzf", archive.toAbsolutePath().toString()), dir, Map.of(), 60).status);
        String name = archive.getFileName().toString().replace(".tar.gz", "");
        Path root = dir.resolve(name);
        Path launcher = root.resolve("bin/viz");
        assertTrue(Files.isExecutable(launcher), "bin/viz is executable");
        assertTrue(Files.isExecutable(root.resolve("runtime/bin/java")), "the trimmed runtime is inside");
        assertTrue(Files.isRegularFile(root.resolve("lib/viz-cli.jar")), "the jar with its natives is inside");

        Path emptyPath = Files.createDirectories(dir.resolve("no-java-here"));
        Result which = run(List.of("/bin/sh", "-c", "command -v java || echo none"), dir, noJava(emptyPath), 10);
        assertEquals("none", which.out.trim(), "no java on this PATH");

        Path out = dir.resolve("demo.wav");
        Result demo = run(List.of(launcher.toString(), "demo", "--out", out.toString()), dir, noJava(emptyPath), 90);
        System.out.println("bin/viz demo from the archive:\n" + demo.out);
        assertEquals(0, demo.status, demo.out);
        assertTrue(demo.out.contains("frames sent 200"), demo.out);
        assertTrue(Files.size(out) > 48_000 * 2 * 5, "the demo recorded what it heard");

        Result version = run(List.of(launcher.toString(), "--version"), dir, noJava(emptyPath), 30);
        assertTrue(version.out.contains("viz "), version.out);
        System.out.printf("archive %s: %d bytes%n", archive.getFileName(), Files.size(archive));
    }

    @Test
    void shouldRunTheFatJarThroughItsLauncherAndSayWhatToInstallWithoutJava() throws Exception {
        Path launcher = Path.of(System.getProperty("viz.cli.launcher", "target/viz"));
        assertTrue(Files.isExecutable(launcher), launcher + " is made by mvn package");
        Map<String, String> withJava = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "PATH", dir.resolve("no-java-here").toString());
        Result version = run(List.of(launcher.toAbsolutePath().toString(), "--version"), dir, withJava, 30);
        assertEquals(0, version.status, version.out);
        assertTrue(version.out.contains("viz "), version.out);

        Path emptyPath = Files.createDirectories(dir.resolve("no-java-here"));
        Result none = run(List.of(launcher.toAbsolutePath().toString(), "--version"), dir, noJava(emptyPath), 30);
        assertEquals(1, none.status, none.out);
        assertTrue(none.out.contains("no Java found") && none.out.contains("JAVA_HOME"), none.out);
        assertFalse(none.out.contains("Exception"), none.out);
    }

    @Test
    void shouldStartTheJvmSetUpForACallAndLetVizJavaOptsOverrideIt() throws Exception {
        Path launcher = Path.of(System.getProperty("viz.cli.launcher", "target/viz")).toAbsolutePath();
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"),
                "VIZ_JAVA_OPTS", "-XX:+PrintCommandLineFlags", "XDG_CONFIG_HOME", dir.resolve("config").toString());
        Result flags = run(List.of(launcher.toString(), "--version"), dir, env, 30);
        assertEquals(0, flags.status, flags.out);
        for (String flag : List.of("-XX:+UseSerialGC", "-XX:MaxHeapSize=67108864", "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData")) {
            assertTrue(flags.out.contains(flag), flag + " in " + flags.out);
        }

        Result overridden = run(List.of(launcher.toString(), "--version"), dir,
                Map.of("JAVA_HOME", System.getProperty("java.home"),
                        "VIZ_JAVA_OPTS", "-XX:+PrintCommandLineFlags -Xmx256m"), 30);
        assertEquals(0, overridden.status, overridden.out);
        assertTrue(overridden.out.contains("-XX:MaxHeapSize=268435456"), overridden.out);

        // a whole call (two sessions, speech in and out) fits that JVM
        Path out = dir.resolve("demo.wav");
        Result demo = run(List.of(launcher.toString(), "demo", "--out", out.toString()), dir,
                Map.of("JAVA_HOME", System.getProperty("java.home"), "XDG_CONFIG_HOME", dir.resolve("config").toString()),
                90);
        assertEquals(0, demo.status, demo.out);
        assertTrue(demo.out.contains("frames sent 200") && demo.out.contains("loss 0.0 %"), demo.out);
        assertTrue(Files.size(out) > 44, "demo wrote " + out);
    }

    /** An environment with no JAVA_HOME and a PATH of one empty directory. */
    private Map<String, String> noJava(Path emptyPath) {
        return Map.of("PATH", emptyPath.toString(), "XDG_CONFIG_HOME", dir.resolve("config").toString());
    }

    private record Result(int status, String out) {
    }

    private static Result run(List<String> command, Path workDir, Map<String, String> env, long timeoutS)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().remove("JAVA_HOME");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("VIZ_SECRET");
        builder.environment().putAll(env);
        Path log = Files.createTempFile(workDir, "run", ".log");
        builder.redirectOutput(log.toFile());
        Process process = builder.start();
        if (!process.waitFor(timeoutS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not exit within " + timeoutS + " s:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
