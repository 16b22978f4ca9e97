package dev.viz.audio.opus.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The probe runs once per JVM, so a missing library is shown in a fresh JVM pointed at a path that
 * does not exist.
 */
class NativeOpusMissingTest {

    /** Run in the child JVM: prints what a user of the library would see. */
    public static void main(String[] args) {
        System.out.println("available=" + NativeOpus.isAvailable());
        System.out.println("cause=" + NativeOpus.unavailabilityCause().getClass().getName());
        try {
            new NativeOpusCodec(32_000);
            System.out.println("constructed");
        } catch (IllegalStateException e) {
            System.out.println("message=" + e.getMessage());
        }
    }

    @Test
    void shouldSayWhatToInstallWhenLibopusIsMissing() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(),
                "-D" + NativeOpus.LIBRARY_PROPERTY + "=/nonexistent/libopus.so.0",
                "-cp", System.getProperty("java.class.path"), NativeOpusMissingTest.class.getName()))
                .redirectErrorStream(true)
                .start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("available=false"), output);
        assertTrue(output.contains("message=native Opus is not available"), output);
        assertTrue(output.contains("cause=" + UnsatisfiedLinkError.class.getName()), "the loader's own error: " + output);
        assertTrue(output.contains("apt-get install libopus0"), output);
        assertTrue(!output.contains("constructed"), output);
    }
}
