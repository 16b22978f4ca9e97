package dev.viz.audio.javasound;

import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Assumptions;

/**
 * The precondition of the Java Sound contract tests: Java Sound's default mixer offers a 48 kHz
 * 16-bit line in the direction under test. Java Sound asks ALSA for a device's formats once, when
 * it first builds its mixer list, and keeps the answer for the life of the JVM; a sound server that
 * did not answer at that moment leaves the JVM without the line although the server runs now (seen
 * once in CI, never reproduced). The contract tests then skip, saying so, rather than fail for the
 * environment; {@link JavaSoundDeviceTest} still plays and captures through the same lines.
 */
final class DefaultLine {
    private DefaultLine() {
    }

    static void assumeOffered(boolean input) {
        boolean offered = AudioSystem.isLineSupported(JavaSoundBackend.lineInfo(input, 1));
        if (!offered) {
            System.out.println("SKIPPED (Java Sound): its default mixer offers no 48 kHz 16-bit "
                    + (input ? "input" : "output") + " line in this JVM, though the sound server answers");
        }
        Assumptions.assumeTrue(offered, "Java Sound's default mixer offers no 48 kHz 16-bit line in this JVM");
    }
}
