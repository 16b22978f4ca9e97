package dev.viz.audio.portaudio;

import dev.viz.audio.AudioDevices;
import dev.viz.audio.javasound.JavaSoundBackend;
import dev.viz.audio.pulse.PulseBackend;
import dev.viz.core.AudioDevice;
import java.io.IOException;

/**
 * Run in a JVM of its own with {@code -Dviz.portaudio.library} and {@code -Dviz.pulse.library}
 * naming libraries that do not exist, as on a machine without libportaudio and libpulse: prints, one
 * {@code key=value} per line, what the PortAudio and PulseAudio backends say and, with the argument {@code tone}, which devices {@link AudioDevices}
 * picks as the defaults and whether they play and capture a tone.
 */
public final class WithoutPortAudio {
    private WithoutPortAudio() {
    }

    public static void main(String[] args) throws Exception {
        PortAudioBackend portAudio = PortAudioBackend.system();
        System.out.println("portaudio.available=" + portAudio.isAvailable());
        System.out.println("portaudio.cause=" + portAudio.unavailabilityCause().getClass().getName());
        try {
            portAudio.ensureAvailability();
        } catch (IOException e) {
            System.out.println("portaudio.message=" + e.getMessage());
            System.out.println("portaudio.message.causeIsTheOriginal=" + (e.getCause() == portAudio.unavailabilityCause()));
        }
        try {
            PortAudioBackend.system().defaultInput();
            System.out.println("portaudio.defaultInput=opened");
        } catch (IOException e) {
            System.out.println("portaudio.defaultInput.error=" + e.getMessage());
        }
        PulseBackend pulse = PulseBackend.system();
        System.out.println("pulse.available=" + pulse.isAvailable());
        try {
            pulse.defaultOutput();
            System.out.println("pulse.defaultOutput=opened");
        } catch (IOException e) {
            System.out.println("pulse.message=" + e.getMessage());
            System.out.println("pulse.message.causeIsTheOriginal=" + (e.getCause() == pulse.unavailabilityCause()));
        }
        System.out.println("javasound.available=" + JavaSoundBackend.system().isAvailable());
        if (args.length == 0 || !args[0].equals("tone")) {
            return;
        }
        // What a session gets when it is built without devices, or the CLI for --input/--output default.
        AudioDevice out = AudioDevices.defaultOutput();
        AudioDevice in = AudioDevices.defaultInput();
        System.out.println("default.output=" + out.name());
        System.out.println("default.input=" + in.name());
        short[] captured = PlayAndCapture.run(out, in, 1000, 2000, 3000);
        ToneDetector.Scan tone = ToneDetector.scan(captured, 1000, 48_000, 0.25);
        System.out.println("javasound.toneWindows=" + tone.windowsWithTone());
        System.out.println("javasound.scan=" + tone);
    }
}
