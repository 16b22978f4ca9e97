package dev.viz.examples;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionListener;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.transport.direct.DirectPathTransport;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.turn.TurnServer;
import dev.viz.transport.turn.TurnTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A call between two machines that are both behind NAT, through a TURN relay (coturn on your VPS
 * or a hosted service; see docs/nat.md). The listener allocates on the relay and prints its relayed
 * address and key fingerprint; the caller allocates on the same relay and calls that address,
 * pinning that key. The relay sees ciphertext only. When both NATs allow it, the call then moves to
 * a direct path between the two machines ({@link DirectPathTransport}: the relay answers STUN, the
 * candidates and probes are sealed with the call's keys) and keeps the relay as its fallback.
 *
 * <pre>{@code
 * # Alice (behind NAT):
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.RelayIntercom \
 *     -Dexec.args="listen turn:USER:PASS@relay.example.net:3478"
 * #   -> relayed address 203.0.113.7:49731, key 3q2gk...
 * # Bob (behind another NAT):
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.RelayIntercom \
 *     -Dexec.args="connect turn:USER:PASS@relay.example.net:3478 203.0.113.7:49731 3q2gk..."
 * }</pre>
 */
public final class RelayIntercom {
    private RelayIntercom() {
    }

    public static void main(String[] args) throws Exception {
        boolean listen = args.length == 2 && args[0].equals("listen");
        boolean connect = args.length == 4 && args[0].equals("connect");
        if (!listen && !connect) {
            System.err.println("usage: RelayIntercom listen TURN-URI | connect TURN-URI RELAYED-IP:PORT KEY-FINGERPRINT");
            System.exit(2);
        }
        TurnServer relay = TurnServer.parse(args[1]);
        Identity identity = Identity.generate();
        TurnTransport turn;
        SecureTransport.Builder secure;
        if (listen) {
            turn = TurnTransport.listen(relay);
            turn.allocate(); // before the call starts, to print where to call
            InetSocketAddress relayed = turn.relayedAddress();
            System.out.println("relayed address " + relayed.getAddress().getHostAddress() + ":" + relayed.getPort()
                    + ", key " + identity.fingerprint());
            secure = SecureTransport.wrap(direct(turn, relay)).identity(identity);
        } else {
            int colon = args[2].lastIndexOf(':');
            InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName(args[2].substring(0, colon)),
                    Integer.parseInt(args[2].substring(colon + 1)));
            turn = TurnTransport.connect(relay, peer);
            secure = SecureTransport.wrap(direct(turn, relay)).identity(identity).peerKey(args[3]);
        }
        try (VoiceSession call = VoiceSession.builder()
                .transport(secure.build())
                .input(AudioDevices.parseInput("default"))
                .output(AudioDevices.parseOutput("default"))
                .listener(new SessionListener() {
                    @Override
                    public void onSecured(VoiceSession session, String peerKey, String code) {
                        System.out.println("secured through the relay with " + peerKey);
                    }

                    @Override
                    public void onPeerChanged(VoiceSession session, String peer) {
                        System.out.println("peer " + peer); // "... (direct)" once the call left the relay
                    }

                    @Override
                    public void onError(VoiceSession session, String message, Throwable cause) {
                        System.out.println("error: " + message);
                    }
                })
                .build()) {
            Runtime.getRuntime().addShutdownHook(new Thread(call::close));
            call.start();
            call.awaitEnd();
            System.out.println("ended: " + call.endReason());
        }
    }

    /** The relay under a direct-path decorator that asks the relay itself for this side's public address. */
    private static Transport direct(TurnTransport turn, TurnServer relay) {
        return DirectPathTransport.over(turn).stun(new InetSocketAddress(relay.host(), TurnServer.DEFAULT_PORT)).build();
    }
}
