package dev.viz.transport.secure;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import dev.viz.transport.loopback.LoopbackTransport;

/**
 * The transport contract over the in-memory loopback pair. Both ends know their peer at once, so
 * both derive the initiator role and call each other: the simultaneous handshakes resolve to one.
 */
class SecureLoopbackContractTest extends TransportContract {
    @Override
    protected Transport[] newPair() throws Exception {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        return new Transport[] {
            SecureTransport.wrap(pair[0]).identity(Identity.generate()).build(),
            SecureTransport.wrap(pair[1]).identity(Identity.generate()).build(),
        };
    }

    /** Over the in-memory pair: polled. */
    @Override
    protected boolean canBeWaitedOn() {
        return false;
    }
}
