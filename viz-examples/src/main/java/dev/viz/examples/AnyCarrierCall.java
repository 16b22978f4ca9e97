package dev.viz.examples;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionListener;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.transport.reach.CallAddress;
import dev.viz.transport.reach.ListenTransport;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.udp.UdpTransport;

/**
 * Listens on UDP, raw TCP and WebSocket at once on one port, or calls any address form a tunnel
 * prints ({@code host:port}, {@code tcp://}, {@code ws://}, {@code wss://}, {@code https://}):
 * the carriers of docs/tunnels.md under the same secure layer.
 *
 * <pre>{@code
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.AnyCarrierCall -Dexec.args="listen 8443"
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.AnyCarrierCall \
 *     -Dexec.args="call https://name.trycloudflare.com tone:440 null"
 * }</pre>
 */
public final class AnyCarrierCall {
    private AnyCarrierCall() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("listen") || args[0].equals("call"))) {
            System.err.println("usage: AnyCarrierCall listen PORT | call ADDRESS [INPUT-SPEC [OUTPUT-SPEC]]");
            System.exit(2);
        }
        Identity identity = Identity.loadOrCreateDefault();
        Transport carrier = args[0].equals("listen")
                ? ListenTransport.on(Integer.parseInt(args[1])).fingerprint(identity.fingerprint()).build()
                : CallAddress.parse(args[1]).transport(UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES, null);
        Transport secure = SecureTransport.wrap(carrier).identity(identity).build();
        System.out.println("your key fingerprint: " + identity.fingerprint());
        try (VoiceSession call = VoiceSession.builder()
                .transport(secure)
                .input(AudioDevices.parseInput(args.length > 2 ? args[2] : "default"))
                .output(AudioDevices.parseOutput(args.length > 3 ? args[3] : "default"))
                .listener(new SessionListener() {
                    @Override
                    public void onPeerChanged(VoiceSession session, String peer) {
                        System.out.println("peer: " + peer); // e.g. "ws 203.0.113.7:50122" or "udp ..."
                    }

                    @Override
                    public void onSecured(VoiceSession session, String peerKey, String code) {
                        System.out.println("verification code: " + code + " (compare it with your peer)");
                    }
                })
                .build()) {
            Runtime.getRuntime().addShutdownHook(new Thread(call::close));
            call.start();
            System.out.println(args[0].equals("listen") ? "listening on UDP, TCP and WebSocket port " + args[1]
                    : "calling " + CallAddress.parse(args[1]));
            call.awaitEnd();
            System.out.println("ended: " + call.endReason());
        }
    }
}
