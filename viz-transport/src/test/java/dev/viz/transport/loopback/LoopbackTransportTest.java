package dev.viz.transport.loopback;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;

class LoopbackTransportTest extends TransportContract {
    @Override
    protected Transport[] newPair() {
        return LoopbackTransport.pair();
    }
}
