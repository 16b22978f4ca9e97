package dev.viz.transport.reach;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.stream.StreamTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A WebSocket through an HTTP proxy named by the environment ({@code http_proxy}), as behind a
 * company proxy: the caller asks the proxy to {@code CONNECT} and speaks WebSocket through the
 * tunnel it opens; {@code no_proxy} makes it go direct. The proxy here is a minimal CONNECT relay
 * over real loopback sockets (no proxy server is packaged for the tests).
 */
@Timeout(30)
class ProxyTest {
    /** Accepts CONNECT requests, records them, and relays bytes both ways. */
    private static final class ConnectProxy implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        final List<String> requests = new CopyOnWriteArrayList<>();

        ConnectProxy() throws IOException {
            Thread t = new Thread(this::serve, "test-proxy");
            t.setDaemon(true);
            t.start();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    InputStream in = client.getInputStream();
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        head.write(in.read());
                    }
                    String line = head.toString(StandardCharsets.ISO_8859_1).split("\r\n")[0];
                    requests.add(line);
                    String[] target = line.split(" ")[1].split(":");
                    Socket upstream = new Socket(target[0], Integer.parseInt(target[1]));
                    client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    pipe(in, upstream.getOutputStream());
                    pipe(upstream.getInputStream(), client.getOutputStream());
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void pipe(InputStream from, OutputStream to) {
            Thread t = new Thread(() -> {
                byte[] b = new byte[8192];
                try {
                    for (int n; (n = from.read(b)) > 0; ) {
                        to.write(b, 0, n);
                    }
                } catch (IOException ignored) {
                    // one side closed
                }
            }, "test-proxy-pipe");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static void roundTrip(StreamTransport caller, ListenTransport listener) throws Exception {
        listener.open(new Transport.Events() { });
        caller.open(new Transport.Events() { });
        byte[] hello = {1, 2, 3, 4};
        byte[] in = new byte[2048];
        long deadline = System.nanoTime() + 10_000_000_000L;
        int n = 0;
        while (n == 0) {
            assertTrue(System.nanoTime() < deadline, "nothing came through");
            caller.doWork(System.nanoTime());
            listener.doWork(System.nanoTime());
            caller.send(hello, 0, hello.length);
            n = listener.receive(in, 0, in.length);
            Thread.sleep(5);
        }
        assertArrayEquals(hello, Arrays.copyOf(in, n));
    }

    @Test
    void shouldTunnelAWebSocketThroughTheProxyTheEnvironmentNames() throws Exception {
        int port = Ports.freeUdpAndTcp();
        try (ConnectProxy proxy = new ConnectProxy()) {
            ListenTransport listener = Ports.loopbackListener(port).build();
            StreamTransport caller = StreamTransport.webSocket(URI.create("ws://127.0.0.1:" + port))
                    .environment(Map.of("http_proxy", "http://127.0.0.1:" + proxy.server.getLocalPort())).build();
            try {
                roundTrip(caller, listener);
                assertEquals(List.of("CONNECT 127.0.0.1:" + port + " HTTP/1.1"), proxy.requests);
            } finally {
                caller.close();
                listener.close();
            }
        }
    }

    @Test
    void shouldGoDirectForAHostInNoProxy() throws Exception {
        int port = Ports.freeUdpAndTcp();
        try (ConnectProxy proxy = new ConnectProxy()) {
            ListenTransport listener = Ports.loopbackListener(port).build();
            StreamTransport caller = StreamTransport.webSocket(URI.create("ws://127.0.0.1:" + port))
                    .environment(Map.of("http_proxy", "http://127.0.0.1:" + proxy.server.getLocalPort(),
                            "no_proxy", "localhost,127.0.0.1")).build();
            try {
                roundTrip(caller, listener);
                assertTrue(proxy.requests.isEmpty(), proxy.requests.toString());
            } finally {
                caller.close();
                listener.close();
            }
        }
    }
}
