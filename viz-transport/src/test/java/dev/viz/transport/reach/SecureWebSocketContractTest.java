package dev.viz.transport.reach;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.stream.StreamTransport;
import java.net.URI;
import java.util.Map;

/** The transport contract met by the secure layer stacked on a WebSocket exactly as on UDP. */
class SecureWebSocketContractTest extends TransportContract {
    @Override
    protected Transport[] newPair() throws Exception {
        int port = Ports.freeUdpAndTcp();
        return new Transport[] {
            SecureTransport.wrap(StreamTransport.webSocket(URI.create("ws://127.0.0.1:" + port)).environment(Map.of())
                    .build()).identity(Identity.generate()).build(),
            SecureTransport.wrap(Ports.loopbackListener(port).build()).identity(Identity.generate()).build()};
    }

    /** A TCP stream under it. */
    @Override
    protected boolean isReliableStream() {
        return true;
    }
}
