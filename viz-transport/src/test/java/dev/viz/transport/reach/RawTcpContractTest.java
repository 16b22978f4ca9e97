package dev.viz.transport.reach;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import dev.viz.transport.stream.StreamTransport;

/** The transport contract over real loopback TCP: a raw length-prefixed stream to the one-port listener. */
class RawTcpContractTest extends TransportContract {
    @Override
    protected Transport[] newPair() throws Exception {
        int port = Ports.freeUdpAndTcp();
        return new Transport[] {StreamTransport.tcp("127.0.0.1", port).build(), Ports.loopbackListener(port).build()};
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
