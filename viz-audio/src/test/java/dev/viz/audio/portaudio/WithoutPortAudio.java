package dev.viz.audio.portaudio;

import dev.viz.audio.javasound.JavaSoundBackend;
import dev.viz.core.AudioDevice;
import java.io.IOException;

/**
 * Run in a JVM of its own with {@code -Dviz.portaudio.library} naming a library that does not
 * exist, as on a machine without libportaudio: prints, one {@code key=value} per line, what the
 * PortAudio backend says and, with the argument {@code tone}, whether Java Sound's default devices
 * still play and capture a tone.
 */
public final class WithoutPortAudio {
    private WithoutPortAudio() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("portaudio.available=" + PortAudioBackend.isAvailable());
        System.out.println("portaudio.message=" + PortAudioBackend.unavailableMessage());
        try {
            PortAudioBackend.defaultInput();
            System.out.println("portaudio.defaultInput=opened");
        } catch (IOException e) {
            System.out.println("portaudio.defaultInput.error=" + e.getMessage());
        }
        System.out.println("javasound.available=" + JavaSoundBackend.isAvailable());
        if (args.length == 0 || !args[0].equals("tone")) {
            return;
        }
        AudioDevice out = JavaSoundBackend.defaultOutput();
        AudioDevice in = JavaSoundBackend.defaultInput();
        short[] captured = PlayAndCapture.run(out, in, 1000, 2000, 3000);
        ToneDetector.Scan tone = ToneDetector.scan(captured, 1000, 48_000, 0.25);
        System.out.println("javasound.toneWindows=" + tone.windowsWithTone());
        System.out.println("javasound.scan=" + tone);
    }
}
