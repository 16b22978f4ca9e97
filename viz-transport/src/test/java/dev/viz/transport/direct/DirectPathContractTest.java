package dev.viz.transport.direct;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.udp.UdpTransport;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The transport contract, met by the secure layer over the direct-path decorator over real UDP on
 * loopback, with no candidates offered: everything the decorator passes through (handshakes, data,
 * events, roaming) behaves as without it. The move itself, which the contract's "no peer moves in a
 * clean exchange" would count against it, is {@link DirectPathTransportTest}'s.
 */
class DirectPathContractTest extends TransportContract {
    @Override
    protected Transport[] newPair() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        UdpTransport listen = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        return new Transport[] {
            SecureTransport.wrap(DirectPathTransport.over(UdpTransport.connect("127.0.0.1", port)).hostCandidates(false).build())
                    .identity(Identity.generate()).build(),
            SecureTransport.wrap(DirectPathTransport.over(listen).hostCandidates(false).build()).identity(Identity.generate()).build(),
        };
    }
}
