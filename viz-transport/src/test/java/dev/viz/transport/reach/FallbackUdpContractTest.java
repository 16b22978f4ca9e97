package dev.viz.transport.reach;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import dev.viz.transport.udp.UdpTransport;

/** The transport contract for {@code host:port} (UDP first) against the one-port listener, where UDP answers. */
class FallbackUdpContractTest extends TransportContract {
    @Override
    protected Transport[] newPair() throws Exception {
        int port = Ports.freeUdpAndTcp();
        return new Transport[] {new FallbackTransport("127.0.0.1", port, UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES),
            Ports.loopbackListener(port).build()};
    }

    /** Sockets: the listener knows which host each payload came from. */
    @Override
    protected boolean identifiesSources() {
        return true;
    }
}
