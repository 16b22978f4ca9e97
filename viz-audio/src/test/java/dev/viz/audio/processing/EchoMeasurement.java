package dev.viz.audio.processing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The long measurement behind docs/audio-processing.md: 24 s of far-end speech through the software
 * echo path at 50, 150 and 250 ms, ERLE over 3-23 s (20 s after 3 s of convergence), and the echo
 * level before and after every 100 ms written as CSV for {@code scripts/PlotEcho.java}. Opt-in:
 *
 * <pre>
 * mvn -B -o -pl viz-audio -am test -Dtest=EchoMeasurement -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dviz.aec.measure=docs/audio-processing-echo.csv
 * </pre>
 */
class EchoMeasurement {
    @Test
    void shouldCancelEchoOverTwentySecondsAfterThreeOfConvergence() throws IOException {
        String csv = System.getProperty("viz.aec.measure");
        assumeTrue(csv != null && !csv.isBlank(), "opt-in: -Dviz.aec.measure=FILE.csv");
        assumeTrue(SpeexDsp.isAvailable(), () -> "skipped: " + SpeexDsp.explanation());
        short[] far = EchoLab.farEnd();
        short[] near = EchoLab.nearEnd();
        Path out = Path.of(csv).toAbsolutePath();
        if (!out.isAbsolute() || !Files.isDirectory(out.getParent())) {
            out = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".")).resolve(csv);
        }
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("delay_ms,time_s,echo_dbfs_before,echo_dbfs_after");
            for (int delayMs : new int[] {50, 150, 250}) {
                double[] echo = EchoLab.convolve(far, EchoLab.room(42, delayMs, 150, 200, -6));
                short[] mic = EchoLab.mix(far.length, echo, 0.0);
                try (SpeexProcessor p = new SpeexProcessor(ProcessingOptions.builder().echoCancellation(true)
                        .build())) {
                    p.open(AudioFormat.mono48k(20));
                    short[] processed = EchoLab.run(p, AudioFormat.mono48k(20), far, mic);
                    double erle = EchoLab.erleDb(mic, processed, 3, 23);
                    double residual = EchoLab.energy(processed, 3 * 48_000, 23 * 48_000) / 20.0;
                    double nearPower = EchoLab.energy(near, 0, near.length) / (near.length / 48_000.0);
                    System.out.printf("software echo path %d ms: ERLE %.1f dB over 3-23 s; echo %.1f dB before,"
                            + " %.1f dB after, relative to the near speech; delay estimate %.1f ms, changes %d%n",
                            delayMs, erle,
                            10 * Math.log10(EchoLab.energy(mic, 3 * 48_000, 23 * 48_000) / 20.0 / nearPower),
                            10 * Math.log10(residual / nearPower), p.echoDelayMs(), p.echoDelayChanges());
                    double[] before = EchoLab.levels(mic, 100);
                    double[] after = EchoLab.levels(processed, 100);
                    for (int i = 0; i < Math.min(before.length, after.length); i++) {
                        w.printf("%d,%.1f,%.1f,%.1f%n", delayMs, i * 0.1, before[i], after[i]);
                    }
                    assertTrue(erle >= 25, "ERLE " + erle);
                }
            }
        }
        System.out.println("wrote " + out);
    }
}
