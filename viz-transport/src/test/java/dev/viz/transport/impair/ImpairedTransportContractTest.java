package dev.viz.transport.impair;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import dev.viz.transport.udp.UdpTransport;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The transport contract for {@link ImpairedTransport}, over real UDP sockets on loopback, both ends
 * impaired with delay and jitter (no loss, no reordering: the contract expects every payload, in
 * order). The stranger is a plain UDP caller, as a second peer on a real path would be.
 */
class ImpairedTransportContractTest extends TransportContract {
    private static final ImpairmentSpec SPEC = ImpairmentSpec.parse("delay=3ms,jitter=4ms,seed=5");
    private int port;

    @Override
    protected Transport[] newPair() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        UdpTransport listen = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        return new Transport[] {SPEC.wrap(UdpTransport.connect("127.0.0.1", port)), SPEC.wrap(listen)};
    }

    @Override
    protected boolean identifiesSources() {
        return true;
    }

    @Override
    protected Transport newStranger() {
        return UdpTransport.connect("127.0.0.1", port);
    }

    /** Its delayed datagrams are released by its clock, not by a socket: polled. */
    @Override
    protected boolean canBeWaitedOn() {
        return false;
    }
}
