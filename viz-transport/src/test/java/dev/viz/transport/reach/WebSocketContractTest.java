package dev.viz.transport.reach;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import dev.viz.transport.stream.StreamTransport;
import java.net.URI;
import java.util.Map;

/** The transport contract over a real loopback WebSocket to the one-port listener (no proxy from the environment). */
class WebSocketContractTest extends TransportContract {
    @Override
    protected Transport[] newPair() throws Exception {
        int port = Ports.freeUdpAndTcp();
        return new Transport[] {
            StreamTransport.webSocket(URI.create("ws://127.0.0.1:" + port + "/viz")).environment(Map.of()).build(),
            Ports.loopbackListener(port).build()};
    }

    /** Sockets: the listener knows which host each payload came from. */
    @Override
    protected boolean identifiesSources() {
        return true;
    }

    /** A TCP stream under it. */
    @Override
    protected boolean isReliableStream() {
        return true;
    }
}
