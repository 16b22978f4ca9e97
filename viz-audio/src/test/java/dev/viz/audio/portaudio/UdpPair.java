package dev.viz.audio.portaudio;

import dev.viz.core.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Two plain UDP sockets on loopback joined to each other, for the device tests' whole calls.
 * viz-transport's UDP transport cannot be used here (it tests against viz-audio, so viz-audio may
 * not depend on it); this is the least that carries a session's datagrams over real sockets. Not
 * encrypted: sessions using it call {@code allowPlaintext(true)}.
 */
final class UdpPair implements Transport {
    private final DatagramChannel channel;
    private final InetSocketAddress peer;
    private final String name;
    private ByteBuffer sendView;
    private ByteBuffer receiveView;
    private volatile boolean open;

    private UdpPair(DatagramChannel channel, InetSocketAddress peer, String name) {
        this.channel = channel;
        this.peer = peer;
        this.name = name;
    }

    /** Two connected ends. */
    static UdpPair[] create() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        DatagramChannel b = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        InetSocketAddress aAddress = (InetSocketAddress) a.getLocalAddress();
        InetSocketAddress bAddress = (InetSocketAddress) b.getLocalAddress();
        a.connect(bAddress).configureBlocking(false);
        b.connect(aAddress).configureBlocking(false);
        return new UdpPair[] {new UdpPair(a, bAddress, "udp test a"), new UdpPair(b, aAddress, "udp test b")};
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void open(Events events) {
        open = true;
        events.onReady(peer());
    }

    @Override
    public int maxPayloadBytes() {
        return 1400;
    }

    @Override
    public boolean isReady() {
        return open && channel.isOpen();
    }

    @Override
    public int send(byte[] buffer, int offset, int length) {
        if (length > maxPayloadBytes()) {
            return ERROR_TOO_LARGE;
        }
        if (sendView == null || sendView.array() != buffer) {
            sendView = ByteBuffer.wrap(buffer);
        }
        sendView.limit(offset + length).position(offset);
        try {
            return channel.write(sendView) == length ? length : ERROR_IO;
        } catch (IOException e) {
            return ERROR_IO;
        }
    }

    @Override
    public int receive(byte[] buffer, int offset, int capacity) {
        if (receiveView == null || receiveView.array() != buffer) {
            receiveView = ByteBuffer.wrap(buffer);
        }
        receiveView.limit(offset + capacity).position(offset);
        try {
            return channel.read(receiveView);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public String peer() {
        return peer.getAddress().getHostAddress() + ":" + peer.getPort();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a datagram channel has nothing to report
        }
    }
}
