package dev.viz.audio.portaudio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The real sound server the device tests run against: PulseAudio with the null sinks
 * {@code viz_out} (default sink; its monitor is the default source) and {@code viz_mic}, as
 * {@code .ci/sound-server.sh} starts it. Tests call {@link #assumeRunning()} first: without a
 * server they are skipped, and the reason is printed to stdout, never passed silently.
 */
public final class SoundServer {
    /** The default sink the script makes. */
    public static final String OUT_SINK = "viz_out";
    /** The virtual microphone's sink; capture {@code viz_mic.monitor} to hear what is played into it. */
    public static final String MIC_SINK = "viz_mic";

    private static volatile String unavailableReason;
    private static volatile boolean checked;
    private static volatile boolean reasonPrinted;

    private SoundServer() {
    }

    /** Skips the calling test unless the sound server answers; the reason is printed once per JVM. */
    public static void assumeRunning() {
        String reason = unavailableReason();
        if (reason != null && !reasonPrinted) {
            reasonPrinted = true;
            System.out.println("SKIPPED (no sound server): the device tests need one: " + reason);
        }
        Assumptions.assumeTrue(reason == null, () -> "no sound server: " + reason);
    }

    /** Null when the server answers; otherwise why not and how to start it. */
    public static synchronized String unavailableReason() {
        if (!checked) {
            unavailableReason = probe();
            checked = true;
        }
        return unavailableReason;
    }

    private static String probe() {
        String how = "start one with `.ci/sound-server.sh` and `source /tmp/viz-audio/env.sh` before Maven";
        if (System.getenv("XDG_RUNTIME_DIR") == null) {
            return "XDG_RUNTIME_DIR is not set; " + how;
        }
        try {
            Result info = run(5, "pactl", "info");
            if (info.exitCode != 0) {
                return "`pactl info` failed (" + info.output.strip() + "); " + how;
            }
            Result sinks = run(5, "pactl", "list", "short", "sinks");
            if (!sinks.output.contains(OUT_SINK) || !sinks.output.contains(MIC_SINK)) {
                return "the server has no " + OUT_SINK + "/" + MIC_SINK + " sinks; " + how;
            }
            return null;
        } catch (IOException e) {
            return "pactl cannot run (" + e.getMessage() + "): install pulseaudio-utils; " + how;
        }
    }

    /** Output and exit code of a finished command. */
    public record Result(int exitCode, String output) {
    }

    /** Runs {@code pactl args...}, failing on a non-zero exit. */
    public static String pactl(String... args) throws IOException {
        return checked("pactl", args);
    }

    /** Runs {@code pacmd args...} (the server's CLI module), failing on a non-zero exit. */
    public static String pacmd(String... args) throws IOException {
        return checked("pacmd", args);
    }

    private static String checked(String tool, String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = tool;
        System.arraycopy(args, 0, command, 1, args.length);
        Result r = run(10, command);
        if (r.exitCode != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + r.exitCode + "): " + r.output.strip());
        }
        return r.output;
    }

    /** Runs a command with the test's environment, stdout and stderr merged. */
    public static Result run(int timeoutS, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            byte[] out = in.readAllBytes();
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + timeoutS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Indexes of the playback streams this JVM has open on the server. */
    public static List<Integer> ownSinkInputs() throws IOException {
        return ownStreams("sink-inputs", "Sink Input #");
    }

    /** Indexes of the capture streams this JVM has open on the server. */
    public static List<Integer> ownSourceOutputs() throws IOException {
        return ownStreams("source-outputs", "Source Output #");
    }

    private static List<Integer> ownStreams(String kind, String header) throws IOException {
        String pid = "application.process.id = \"" + ProcessHandle.current().pid() + "\"";
        List<Integer> own = new ArrayList<>();
        int current = -1;
        for (String line : pactl("list", kind).split("\n")) {
            String t = line.strip();
            if (t.startsWith(header)) {
                current = Integer.parseInt(t.substring(header.length()).strip());
            } else if (t.equals(pid) && current >= 0) {
                own.add(current);
            }
        }
        return own;
    }

    /** Loads a mono 48 kHz null sink and returns its module index. */
    public static int loadNullSink(String name) throws IOException {
        return Integer.parseInt(pactl("load-module", "module-null-sink", "sink_name=" + name, "rate=48000",
                "channels=1").strip());
    }

    /** The module index of the null sink {@code name}, or -1. */
    public static int moduleOfSink(String name) throws IOException {
        for (String line : pactl("list", "short", "modules").split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 3 && f[1].equals("module-null-sink") && (" " + f[2] + " ").contains(" sink_name=" + name + " ")) {
                return Integer.parseInt(f[0]);
            }
        }
        return -1;
    }

    public static boolean hasSink(String name) throws IOException {
        for (String line : pactl("list", "short", "sinks").split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 2 && f[1].equals(name)) {
                return true;
            }
        }
        return false;
    }
}
