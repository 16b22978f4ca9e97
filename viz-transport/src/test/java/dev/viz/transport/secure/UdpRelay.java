package dev.viz.transport.secure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A plain UDP forwarder in the middle of a call, like a tunnel or a NAT: the caller sends to its
 * front port, it forwards from its back socket to the listener and back. {@link #rebind()} swaps
 * the back socket for a new one, as a NAT that reassigns the mapping's port. Polled by the test.
 */
final class UdpRelay implements AutoCloseable {
    private final DatagramChannel front;
    private final InetSocketAddress target;
    private DatagramChannel back;
    private SocketAddress client;
    private final ByteBuffer buffer = ByteBuffer.allocate(65_536);

    UdpRelay(int targetPort) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        target = new InetSocketAddress(loopback, targetPort);
        front = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        front.configureBlocking(false);
        back = newBack();
    }

    private static DatagramChannel newBack() throws IOException {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.configureBlocking(false);
        return channel;
    }

    int port() throws IOException {
        return ((InetSocketAddress) front.getLocalAddress()).getPort();
    }

    int backPort() throws IOException {
        return ((InetSocketAddress) back.getLocalAddress()).getPort();
    }

    /** The NAT forgets the mapping: later datagrams reach the listener from another source port. */
    void rebind() throws IOException {
        DatagramChannel old = back;
        back = newBack();
        old.close();
    }

    void poll() {
        try {
            SocketAddress from;
            while (true) {
                buffer.clear();
                from = front.receive(buffer);
                if (from == null) {
                    break;
                }
                client = from;
                buffer.flip();
                back.send(buffer, target);
            }
            while (client != null) {
                buffer.clear();
                if (back.receive(buffer) == null) {
                    break;
                }
                buffer.flip();
                front.send(buffer, client);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        front.close();
        back.close();
    }
}
