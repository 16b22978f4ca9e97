package dev.viz.examples;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionListener;
import dev.viz.core.SessionState;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.transport.udp.UdpTransport;
import java.time.Duration;

/**
 * The smallest real application: listen or call from the command line, with the default
 * microphone and speaker (or any device spec the CLI accepts), printing the verification code.
 *
 * <pre>{@code
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.Intercom -Dexec.args="listen 8443"
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.Intercom -Dexec.args="connect host:8443"
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.Intercom \
 *     -Dexec.args="connect host:8443 tone:440 null"
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.Intercom \
 *     -Dexec.args="connect host:8443 pulse:alsa_input.usb-Headset-00.mono-fallback pulse:default"
 * }</pre>
 *
 * <p>{@code default} is the PulseAudio (or PipeWire) server's default source and sink when one
 * answers, else PortAudio's, else Java Sound's; {@code pulse:NAME} names a source or sink as
 * {@code pactl list short sources} and {@code pactl list short sinks} print them.
 */
public final class Intercom {
    private Intercom() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("listen") || args[0].equals("connect"))) {
            System.err.println("usage: Intercom listen PORT | connect HOST:PORT [INPUT-SPEC [OUTPUT-SPEC]]");
            System.exit(2);
        }
        Transport transport = args[0].equals("listen")
                ? UdpTransport.listen(Integer.parseInt(args[1]))
                // Without an answer the caller warns after 10 s and gives up after a minute (the call ends
                // with the reason: port unreachable, or no answer at all).
                : UdpTransport.connect(args[1]).withConnectTimeout(Duration.ofMinutes(1));
        String input = args.length > 2 ? args[2] : "default";
        String output = args.length > 3 ? args[3] : "default";
        try (VoiceSession call = VoiceSession.builder()
                .transport(transport)
                .input(AudioDevices.parseInput(input))
                .output(AudioDevices.parseOutput(output))
                .listener(new SessionListener() {
                    @Override
                    public void onStateChanged(VoiceSession session, SessionState state) {
                        System.out.println("state: " + state);
                    }

                    @Override
                    public void onSecured(VoiceSession session, String peerKey, String code) {
                        System.out.println("verification code: " + code + " (compare it with your peer)");
                    }

                    @Override
                    public void onError(VoiceSession session, String message, Throwable cause) {
                        System.out.println("error: " + message);
                    }
                })
                .build()) {
            Runtime.getRuntime().addShutdownHook(new Thread(call::close));
            call.start();
            System.out.println(args[0].equals("listen") ? "listening on UDP " + args[1] : "calling " + args[1]);
            call.awaitEnd();
            System.out.println("ended: " + call.endReason());
        }
    }
}
