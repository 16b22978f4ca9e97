package dev.viz.transport.secure;

import dev.viz.transport.loopback.LoopbackTransport;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.util.function.UnaryOperator;

/** Builds pairs of secure endpoints over real transports for the tests. */
final class Calls {
    private Calls() {
    }

    /** What each side's builder gets besides its transport. */
    static UnaryOperator<SecureTransport.Builder> with(Identity identity) {
        return b -> b.identity(identity);
    }

    /** A listener on a free loopback UDP port and a caller to it, both opened; [0] caller, [1] listener. */
    static Endpoint[] udp(UnaryOperator<SecureTransport.Builder> caller, UnaryOperator<SecureTransport.Builder> listener)
            throws IOException {
        UdpTransport listenUdp = Endpoint.udpListener();
        TapTransport listenTap = new TapTransport(listenUdp);
        Endpoint l = Endpoint.open("listener", listener.apply(SecureTransport.wrap(listenTap)), listenTap);
        TapTransport callTap = new TapTransport(Endpoint.udpCaller(listenUdp.localPort()));
        Endpoint c = Endpoint.open("caller", caller.apply(SecureTransport.wrap(callTap)), callTap);
        return new Endpoint[] {c, l};
    }

    /** Over the in-memory pair with explicit roles; [0] initiator, [1] responder. */
    static Endpoint[] loopback(UnaryOperator<SecureTransport.Builder> caller,
            UnaryOperator<SecureTransport.Builder> listener) throws IOException {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        TapTransport callTap = new TapTransport(pair[0]);
        TapTransport listenTap = new TapTransport(pair[1]);
        Endpoint l = Endpoint.open("listener", listener.apply(SecureTransport.wrap(listenTap)
                .role(SecureTransport.Role.RESPONDER)), listenTap);
        Endpoint c = Endpoint.open("caller", caller.apply(SecureTransport.wrap(callTap)
                .role(SecureTransport.Role.INITIATOR)), callTap);
        return new Endpoint[] {c, l};
    }

    static void awaitSecured(Endpoint caller, Endpoint listener) {
        Endpoint.pumpUntil(() -> caller.isReady() && listener.isReady(), 10_000, "both sides secured", caller, listener);
    }

    static TapTransport tap(Endpoint e) {
        return (TapTransport) e.inner;
    }
}
