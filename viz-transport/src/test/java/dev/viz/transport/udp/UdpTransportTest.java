package dev.viz.transport.udp;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

class UdpTransportTest extends TransportContract {
    @Override
    protected Transport[] newPair() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        UdpTransport listener = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        return new Transport[] {UdpTransport.connect("127.0.0.1", port), listener};
    }
}
