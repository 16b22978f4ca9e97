package dev.viz.transport.loopback;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;

class LoopbackTransportTest extends TransportContract {
    @Override
    protected Transport[] newPair() {
        return LoopbackTransport.pair();
    }

    /** In memory: no socket to wait on; the network thread polls it. */
    @Override
    protected boolean canBeWaitedOn() {
        return false;
    }
}
