package dev.viz.cli;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.VoiceSession;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code viz demo}: a whole call on this machine between two sessions over real UDP loopback. One
 * side speaks a voice clip bundled in the jar; the other writes what it heard to a WAV file. Then a
 * summary.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a whole call on this machine over UDP loopback: one side speaks a bundled voice clip,"
                + " the other writes what it heard to a WAV file.")
final class DemoCommand implements Callable<Integer> {
    static final String CLIP = "/dev/viz/cli/demo-voice.wav";
    private static final Duration TIMEOUT = Duration.ofSeconds(25);

    @Spec
    CommandSpec spec;

    @ParentCommand
    VizCommand parent;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", defaultValue = "viz-demo.wav",
            description = "Where the listening side writes what it heard (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--frame-ms", paramLabel = "MS", defaultValue = "40", description = "Opus frame duration (default: ${DEFAULT-VALUE}).")
    int frameMs;

    @Option(names = "--batch", paramLabel = "FRAMES", defaultValue = "8", description = "Frames per datagram (default: ${DEFAULT-VALUE}).")
    int framesPerBatch;

    @Option(names = "--bitrate", paramLabel = "BPS", defaultValue = "32000", description = "Opus bitrate (default: ${DEFAULT-VALUE}).")
    int bitrateBps;

    @Option(names = "--stats", paramLabel = "FILE", description = "Write the listening side's figures as JSON to FILE.")
    Path statsFile;

    @Override
    public Integer call() throws Exception {
        VizCommand.validateCommon(spec, frameMs, framesPerBatch, bitrateBps, UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES, null);
        PrintWriter err = spec.commandLine().getErr();
        Path clip = Files.createTempFile("viz-demo-voice", ".wav");
        try (InputStream in = DemoCommand.class.getResourceAsStream(CLIP)) {
            if (in == null) {
                err.println("viz: the demo clip is missing from this build (" + CLIP + ")");
                return Main.EXIT_FAILURE;
            }
            Files.copy(in, clip, StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            return run(clip, err);
        } finally {
            Files.deleteIfExists(clip);
        }
    }

    private int run(Path clip, PrintWriter err) throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        UdpTransport listenSide = UdpTransport.listen(new InetSocketAddress(loopback, 0), UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        // Each side gets a fresh key pair: the demo never touches the user's own identity.
        VoiceSession listener = VoiceSession.builder()
                .transport(SecureTransport.wrap(listenSide).identity(Identity.generate()).build())
                .input(AudioDevices.silence())
                .output(AudioDevices.wavOutput(out))
                .frameMs(frameMs).framesPerBatch(framesPerBatch).bitrateBps(bitrateBps)
                .build();
        long startNs = System.nanoTime();
        try (listener) {
            listener.start();
            int port = listenSide.localPort();
            VoiceSession caller = VoiceSession.builder()
                    .transport(SecureTransport.wrap(UdpTransport.connect(loopback.getHostAddress(), port))
                            .identity(Identity.generate()).build())
                    .input(AudioDevices.wav(clip))
                    .output(AudioDevices.nullOutput())
                    .frameMs(frameMs).framesPerBatch(framesPerBatch).bitrateBps(bitrateBps)
                    .build();
            try (caller) {
                err.println("viz demo: calling 127.0.0.1:" + port + " and speaking an 8 s voice clip ("
                        + listener.format() + ", " + framesPerBatch + " frames per datagram, "
                        + (listener.transport().isSecure() ? "end-to-end encrypted" : "plaintext") + ")");
                err.flush();
                caller.start();
                if (!listener.awaitEnd(TIMEOUT)) {
                    err.println("viz demo: the call did not end within " + TIMEOUT.toSeconds() + " s");
                    return Main.EXIT_FAILURE;
                }
                caller.awaitEnd(Duration.ofSeconds(2));
                summarize(err, caller.stats(), listener.stats(), listener.endReason(), (System.nanoTime() - startNs) / 1e9);
                if (statsFile != null) {
                    Files.writeString(statsFile, listener.stats().toJson());
                }
                return listener.failure() == null && caller.failure() == null ? 0 : Main.EXIT_FAILURE;
            }
        }
    }

    private void summarize(PrintWriter err, SessionStats sent, SessionStats heard, String endReason, double wallS) {
        double callS = heard.get(Stat.CONNECTED_NS) / 1e9;
        long framesSent = sent.framesSent();
        long played = heard.framesPlayed();
        long concealed = heard.framesConcealed() + heard.get(Stat.FRAMES_RECOVERED);
        double lossPercent = framesSent == 0 ? 0 : 100.0 * Math.max(0, framesSent - heard.framesReceived()) / framesSent;
        double wireBps = callS <= 0 ? 0 : sent.get(Stat.WIRE_BYTES_SENT) / callS;
        err.printf("viz demo: call ended (%s) after %.1f s%n", endReason, wallS);
        err.printf("  frames sent %d, received %d, played %d, concealed %d, loss %.1f %%%n",
                framesSent, heard.framesReceived(), played, concealed, lossPercent);
        err.printf("  on the wire: %d datagrams, %.0f bytes/s (%.1f kbit/s) from the speaking side%n",
                sent.get(Stat.DATAGRAMS_SENT), wireBps, wireBps * 8 / 1000);
        err.printf("  what was heard is in %s%n", out.toAbsolutePath());
        err.flush();
    }
}
