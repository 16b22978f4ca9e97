package dev.viz.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionListener;
import dev.viz.core.VoiceSession;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.udp.UdpTransport;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Swing example on a real X server (Xvfb), driven with the mouse from another JVM: it calls a
 * listener in this JVM, shows the same verification code the listener gets (checked on the
 * screenshot's pixels, not only the label's text), shows the figures from onStats, mutes (the
 * listener hears the tone, then silence) and hangs up. The screenshot is left in
 * {@code target/swing-phone.png}. Skipped, saying why, where Xvfb is not installed.
 */
@Timeout(120)
class SwingPhoneTest {
    @Test
    void shouldCallShowTheCodeMuteAndHangUpInARealWindow(@TempDir Path dir) throws Exception {
        String xvfb = onPath("Xvfb");
        assumeTrue(xvfb != null, "Xvfb is not installed (apt-get install xvfb): the Swing example needs a display");
        Process server = new ProcessBuilder(xvfb, "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Process window = null;
        try {
            String display = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assumeTrue(display != null && display.matches("\\d+"), "Xvfb did not start (it printed " + display + ")");

            Path heard = dir.resolve("heard.wav");
            List<String> codes = new CopyOnWriteArrayList<>();
            UdpTransport udp = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
            try (VoiceSession listener = VoiceSession.builder().transport(udp).input(AudioDevices.silence())
                    .output(AudioDevices.wavOutput(heard)).listener(new SessionListener() {
                        @Override
                        public void onSecured(VoiceSession session, String peerFingerprint, String verificationCode) {
                            codes.add(verificationCode);
                        }
                    }).build()) {
                listener.start();
                Path screenshot = Path.of("target", "swing-phone.png").toAbsolutePath();
                Files.deleteIfExists(screenshot);
                String java = ProcessHandle.current().info().command().orElse("java");
                ProcessBuilder driver = new ProcessBuilder(java, "-Djava.awt.headless=false",
                        "-Dviz.config.dir=" + System.getProperty("viz.config.dir", dir.toString()), "-cp",
                        System.getProperty("java.class.path"), SwingPhoneDriver.class.getName(),
                        "127.0.0.1:" + udp.localPort(), screenshot.toString()).redirectErrorStream(true);
                driver.environment().put("DISPLAY", ":" + display);
                window = driver.start();
                Map<String, String> out = new HashMap<>();
                StringBuilder all = new StringBuilder();
                try (BufferedReader lines = new BufferedReader(
                        new InputStreamReader(window.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        all.append(line).append('\n');
                        int eq = line.indexOf('=');
                        if (eq > 0 && line.substring(0, eq).matches("[A-Z_]+")) {
                            out.put(line.substring(0, eq), line.substring(eq + 1));
                        }
                    }
                }
                assertTrue(window.waitFor(30, TimeUnit.SECONDS));
                System.out.print("swing phone:\n" + all);
                assertEquals(0, window.exitValue(), "the driver ran to its end:\n" + all);

                assertEquals(1, codes.size(), "the listener was secured once");
                assertEquals(codes.get(0), out.get("CODE"), "the window shows the listener's code");
                assertTrue(Double.parseDouble(out.get("LABEL_MATCH")) > 0.99,
                        "the screen shows the code label as it paints itself: " + out.get("LABEL_MATCH"));
                assertTrue(Long.parseLong(out.get("LABEL_SECURED_PIXELS")) > Long.parseLong(out.get("LABEL_PIXELS")) / 4,
                        "the code label is highlighted as secured on screen");
                assertTrue(out.get("FIGURES").startsWith("rtt "), out.get("FIGURES"));
                assertEquals("true", out.get("MUTED"));
                assertTrue(out.get("STATE").startsWith("ended"), out.get("STATE"));
                assertTrue(out.get("LOG").contains("secured: code " + codes.get(0)), out.get("LOG"));
                assertTrue(Files.size(screenshot) > 1000, "a screenshot in " + screenshot);
                assertTrue(listener.awaitEnd(Duration.ofSeconds(10)), "the hang-up reached the listener");
            }
            // The listener heard the tone, then silence once muted.
            short[] samples = TestAudio.samples(heard);
            int frame = 48_000 / 10;
            double loudest = 0;
            for (int at = 0; at + frame <= samples.length; at += frame) {
                loudest = Math.max(loudest, rms(samples, at, frame));
            }
            double last = rms(samples, samples.length - frame, frame);
            System.out.printf("swing phone: loudest 100 ms of what the listener heard %.0f, the last 100 ms %.0f%n",
                    loudest, last);
            assertTrue(loudest > 1000, "the tone arrived before muting: " + loudest);
            assertTrue(last < loudest / 20, "silence after muting: " + last + " against " + loudest);
        } finally {
            if (window != null) {
                window.destroyForcibly();
            }
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static double rms(short[] samples, int offset, int count) {
        double sum = 0;
        for (int i = offset; i < offset + count; i++) {
            sum += (double) samples[i] * samples[i];
        }
        return Math.sqrt(sum / count);
    }

    private static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
