package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
    @TempDir
    Path home;

    @Test
    @Timeout(60)
    void shouldRunAWholeCallOnThisMachineAndExit0InUnder30Seconds() throws Exception {
        Path out = home.resolve("demo.wav");
        long startNs = System.nanoTime();
        CliProcess demo = CliProcess.start(home, "demo", "demo", "--out", out.toString());
        int status = demo.await(45);
        double seconds = (System.nanoTime() - startNs) / 1e9;
        String err = demo.stderr();
        System.out.println(err);
        assertEquals(0, status, err);
        assertTrue(seconds < 30, "took " + seconds + " s");
        assertTrue(err.contains("frames sent 200"), err);
        assertTrue(err.contains("loss 0.0 %"), err);

        Path clip = home.resolve("clip.wav");
        try (InputStream in = DemoCommand.class.getResourceAsStream(DemoCommand.CLIP)) {
            Files.copy(in, clip);
        }
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(clip), TestAudio.samples(out), 48_000, 1000);
        System.out.println("demo: " + match);
        assertTrue(match.correlation() >= 0.9, match.toString());
    }
}
