package dev.viz.transport.udp;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The transport contract over real UDP sockets on loopback. */
class UdpTransportTest extends TransportContract {
    private int port;

    @Override
    protected Transport[] newPair() throws Exception {
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        UdpTransport listener = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        return new Transport[] {UdpTransport.connect("127.0.0.1", port), listener};
    }

    @Override
    protected boolean identifiesSources() {
        return true;
    }

    @Override
    protected Transport newStranger() {
        return UdpTransport.connect("127.0.0.1", port);
    }
}
