package dev.viz.transport.reach;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;

/** A port number free on loopback for both UDP and TCP just now (for a listener bound at open). */
final class Ports {
    private Ports() {
    }

    static int freeUdpAndTcp() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                    ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, InetAddress.getLoopbackAddress())) {
                return tcp.getLocalPort();
            } catch (IOException taken) {
                // the TCP side of that number is in use: try another
            }
        }
        throw new IOException("no port free for both UDP and TCP");
    }

    static ListenTransport.Builder loopbackListener(int port) {
        return ListenTransport.on(port).bindAddress(InetAddress.getLoopbackAddress());
    }
}
