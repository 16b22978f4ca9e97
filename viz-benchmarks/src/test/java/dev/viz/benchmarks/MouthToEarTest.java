package dev.viz.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.portaudio.PortAudioBackend;
import dev.viz.core.Profile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The mouth-to-ear harness over the stream carriers, briefly: three chirps through a low-latency
 * call over raw TCP and over a WebSocket on loopback, against the test sound server
 * ({@code .ci/sound-server.sh}). It proves the harness really carries the call over the carrier it
 * names and comes back with a measurement that could be one, not how fast the call is: the figures
 * come from running the harness by hand (docs/performance.md, "Stream carriers").
 */
class MouthToEarTest {
    private static final int CHIRPS = 3;

    @BeforeAll
    static void needsTheSoundServer() {
        String reason = soundServerMissing();
        if (reason != null) {
            System.out.println("SKIPPED (no sound server): MouthToEarTest needs one: " + reason);
        }
        Assumptions.assumeTrue(reason == null, () -> "no sound server: " + reason);
    }

    @ParameterizedTest
    @EnumSource(value = MouthToEar.Carrier.class, names = {"TCP", "WS"})
    void shouldMeasureMouthToEarOverAStreamCarrier(MouthToEar.Carrier carrier) throws Exception {
        MouthToEar.Result r = MouthToEar.run(carrier, Profile.LOW_LATENCY, CHIRPS, "portaudio:viz_mic",
                "portaudio:viz_speaker", true);
        System.out.println(r.line(true));

        // the listener heard the caller over the stream asked for, not over UDP
        assertEquals(carrier.cliName(), r.heardOver());
        // the chirps went through the call and were found at the speaker (one may be lost to a loaded machine)
        assertTrue(r.histogram().getTotalCount() >= CHIRPS - 1,
                "chirps found at the speaker: " + r.histogram().getTotalCount() + " of " + CHIRPS);
        // a real mouth-to-ear: at least one 20 ms frame of framing, at most the low-latency playout's
        // bound (500 ms) and the devices' buffers; a chirp matched to silence or to the microphone
        // side would land outside
        double medianMs = r.histogram().getValueAtPercentile(50) / 1000.0;
        assertTrue(medianMs > 20 && medianMs < 700, "median mouth-to-ear " + medianMs + " ms");
        assertTrue(r.listenerStats().framesPlayed() > 0, "the listener played decoded frames");
    }

    /** Null when PortAudio loads and the sound server answers with the sinks the harness plays through. */
    private static String soundServerMissing() {
        if (!PortAudioBackend.system().isAvailable()) {
            return "PortAudio: " + PortAudioBackend.system().unavailabilityCause();
        }
        if (System.getenv("XDG_RUNTIME_DIR") == null) {
            return "XDG_RUNTIME_DIR is not set; start one with `.ci/sound-server.sh` and `source /tmp/viz-audio/env.sh`";
        }
        try {
            Process p = new ProcessBuilder("pactl", "list", "short", "sinks").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return "`pactl list short sinks` failed: " + out.strip();
            }
            if (!out.contains("viz_mic") || !out.contains("viz_out")) {
                return "the server has no viz_mic/viz_out sinks; start it with `.ci/sound-server.sh`";
            }
            return null;
        } catch (IOException e) {
            return "pactl cannot run (" + e.getMessage() + "): install pulseaudio-utils";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
