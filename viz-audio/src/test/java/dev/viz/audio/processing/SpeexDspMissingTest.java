package dev.viz.audio.processing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.AudioProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The probe runs once per JVM, so a missing speexdsp is shown in a fresh JVM pointed at a path that does not exist. */
class SpeexDspMissingTest {

    /** Run in the child JVM: what a user of the library would see. */
    public static void main(String[] args) {
        System.out.println("available=" + SpeexDsp.isAvailable());
        System.out.println("cause=" + SpeexDsp.unavailabilityCause().getClass().getSimpleName());
        AudioProcessor p = AudioProcessing.create(ProcessingOptions.ALL, w -> System.out.println("warning=" + w));
        System.out.println("processor=" + p.name());
        try {
            new SpeexProcessor(ProcessingOptions.ALL);
            System.out.println("constructed");
        } catch (IllegalStateException e) {
            System.out.println("message=" + e.getMessage());
        }
    }

    @Test
    void shouldSayWhatToInstallAndGoOnWithoutSpeexdsp() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(),
                "-D" + SpeexDsp.LIBRARY_PROPERTY + "=/nonexistent/libspeexdsp.so.1",
                "-cp", System.getProperty("java.class.path"), SpeexDspMissingTest.class.getName()))
                .redirectErrorStream(true)
                .start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("available=false"), output);
        assertTrue(output.contains("cause=UnsatisfiedLinkError"), output);
        assertTrue(output.contains("warning=aec+ns+agc+vad off: speexdsp is not available"), output);
        assertTrue(output.contains("apt-get install libspeexdsp1"), output);
        assertTrue(output.contains("processor=none"), output);
        assertTrue(output.contains("message=speexdsp is not available"), output);
        assertTrue(!output.contains("constructed"), output);
    }
}
