package dev.viz.examples;

import dev.viz.audio.AudioDevices;
import dev.viz.core.AudioProcessor;
import dev.viz.core.SessionStats;
import dev.viz.core.VoiceSession;
import dev.viz.transport.udp.UdpTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Two sessions in one JVM call each other over UDP loopback: one speaks a WAV file, the other
 * records what it hears to another WAV file. Both ends are end-to-end encrypted, as any Viz call.
 *
 * <pre>{@code
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.LoopbackCall \
 *     -Dexec.args="speech.wav heard.wav"
 * }</pre>
 */
public final class LoopbackCall {
    private LoopbackCall() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: LoopbackCall INPUT.wav OUTPUT.wav");
            System.exit(2);
        }
        SessionStats heard = call(Path.of(args[0]), Path.of(args[1]));
        System.out.printf("played %d frames (%d concealed); wrote %s%n",
                heard.framesPlayed(), heard.framesConcealed(), args[1]);
    }

    /** Runs the call to its end (the input file's end) and returns what the listening side saw. */
    public static SessionStats call(Path input, Path output) throws Exception {
        return call(input, output, AudioProcessor.NONE, AudioProcessor.NONE);
    }

    /** The same call with a processor on each side (see {@link LevelMeter}). */
    public static SessionStats call(Path input, Path output, AudioProcessor callerProcessor,
            AudioProcessor listenerProcessor) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        UdpTransport listenSide = UdpTransport.listen(new InetSocketAddress(loopback, 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        try (VoiceSession listener = VoiceSession.builder()
                .transport(listenSide)
                .input(AudioDevices.silence())
                .output(AudioDevices.wavOutput(output))
                .processor(listenerProcessor)
                .build()) {
            listener.start();
            try (VoiceSession caller = VoiceSession.builder()
                    .transport(UdpTransport.connect(loopback.getHostAddress(), listenSide.localPort()))
                    .input(AudioDevices.wav(input))        // ends the call with a bye when the file ends
                    .output(AudioDevices.nullOutput())
                    .processor(callerProcessor)
                    .build()) {
                caller.start();
                if (!listener.awaitEnd(Duration.ofMinutes(10))) {
                    throw new IllegalStateException("the call did not end");
                }
            }
            return listener.stats();
        }
    }
}
