package dev.viz.transport.secure;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import dev.viz.transport.udp.UdpTransport;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The transport contract, met by the secure layer over real UDP sockets on loopback. */
class SecureUdpContractTest extends TransportContract {
    @Override
    protected Transport[] newPair() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        UdpTransport listen = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        return new Transport[] {
            SecureTransport.wrap(UdpTransport.connect("127.0.0.1", port)).identity(Identity.generate()).build(),
            SecureTransport.wrap(listen).identity(Identity.generate()).build(),
        };
    }
}
