package dev.viz.audio.portaudio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * libportaudio (and libpulse-simple) made unavailable: a fresh JVM whose {@code viz.portaudio.library}
 * and {@code viz.pulse.library} name libraries that do not exist (PortAudio is probed once per process, so this cannot run in the test JVM).
 */
class PortAudioMissingTest {

    @Test
    void shouldSayWhatToInstallWhenTheLibraryIsMissing() throws Exception {
        Map<String, String> child = runWithoutPortAudio(false);
        child.forEach((k, v) -> System.out.println("  " + k + " = " + v));

        assertEquals("false", child.get("portaudio.available"));
        assertEquals(UnsatisfiedLinkError.class.getName(), child.get("portaudio.cause"),
                "unavailabilityCause() is the loader's own error, not a rebuilt one");
        assertEquals("true", child.get("portaudio.message.causeIsTheOriginal"));
        String message = child.get("portaudio.message");
        assertTrue(message.startsWith("PortAudio is not available"), message);
        assertTrue(message.contains("viz-no-such-portaudio"), "names the library it tried: " + message);
        assertTrue(message.contains("sudo apt-get install libportaudio2"), "says what to install: " + message);
        assertEquals(message, child.get("portaudio.defaultInput.error"), "opening a device says the same");
    }

    @Test
    void shouldSayWhatToInstallWhenLibpulseIsMissingAndTryPortAudioNext() throws Exception {
        Map<String, String> child = runWithoutPortAudio(false);

        assertEquals("false", child.get("pulse.available"));
        assertEquals("true", child.get("pulse.message.causeIsTheOriginal"));
        String message = child.get("pulse.message");
        assertTrue(message.startsWith("PulseAudio's client library is not available"), message);
        assertTrue(message.contains("viz-no-such-pulse") && message.contains("sudo apt-get install libpulse0")
                && message.contains("PortAudio and Java Sound are tried next"), message);
    }

    @Test
    void shouldFallBackToJavaSoundForTheDefaultDevicesAndSaySo() throws Exception {
        SoundServer.assumeRunning();
        Map<String, String> child = runWithoutPortAudio(true);
        System.out.println("defaults without PortAudio: input " + child.get("default.input") + ", output "
                + child.get("default.output") + "; " + child.get("javasound.scan"));
        System.out.println("  said: " + child.get("said"));

        assertEquals("false", child.get("portaudio.available"));
        assertTrue(child.get("default.input").startsWith("javasound:"), child.get("default.input"));
        assertTrue(child.get("default.output").startsWith("javasound:"), child.get("default.output"));
        String said = child.get("said");
        assertTrue(said != null && said.contains("from javasound") && said.contains("PortAudio is not available")
                && said.contains("libportaudio2"), "the fallback is logged with the reason: " + said);
        assertTrue(Integer.parseInt(child.get("javasound.toneWindows")) >= 70, child.get("javasound.scan"));
    }

    private static Map<String, String> runWithoutPortAudio(boolean tone) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Dviz.portaudio.library=viz-no-such-portaudio",
                "-Dviz.pulse.library=viz-no-such-pulse",
                "-cp", System.getProperty("java.class.path"), WithoutPortAudio.class.getName(), tone ? "tone" : "-"))
                .redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the JVM without PortAudio did not finish in 30 s:\n" + output);
        }
        assertEquals(0, p.exitValue(), "the JVM without PortAudio failed:\n" + output);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.contains("WARN") && line.contains("default ")) {
                values.merge("said", line.strip(), (a, b) -> a + " | " + b);
            }
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[a-zA-Z.]+")) {
                values.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return values;
    }
}
