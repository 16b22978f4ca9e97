package dev.viz.transport.reach;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.stream.StreamTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Junk thrown at the one-port listener over real loopback TCP while a call runs on it: garbage,
 * oversized frames, other HTTP paths and methods, a WebSocket text message, a client that never
 * finishes its request, a thousand idle connections. Each is refused or dropped and counted, the
 * listener holds a bounded number of connections, and every datagram of the call still arrives,
 * in order.
 */
@Timeout(60)
class BadStreamInputTest {
    private ListenTransport listener;
    private StreamTransport caller;
    private int port;
    private final byte[] scratch = new byte[65_536];
    private int sequence;
    private int received;

    @BeforeEach
    void call() throws Exception {
        port = Ports.freeUdpAndTcp();
        listener = Ports.loopbackListener(port).fingerprint("testfingerprint").build();
        caller = StreamTransport.tcp("127.0.0.1", port).build();
        listener.open(new Transport.Events() { });
        caller.open(new Transport.Events() { });
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!listener.isReady()) {
            assertTrue(System.nanoTime() < deadline, "the call never started");
            caller.doWork(System.nanoTime());
            listener.doWork(System.nanoTime());
            caller.send(new byte[] {1}, 0, 1);
            if (listener.receive(scratch, 0, scratch.length) > 0) {
                listener.acceptPeer();
            }
            Thread.sleep(5);
        }
        pump(200);
        received = 0;
    }

    @AfterEach
    void hangUp() {
        caller.close();
        listener.close();
    }

    /** Sends numbered datagrams from the caller and takes them at the listener; fails if one goes missing. */
    private void talk(int datagrams) {
        for (int i = 0; i < datagrams; i++) {
            byte[] payload = payload(sequence++);
            assertEquals(payload.length, caller.send(payload, 0, payload.length));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (true) {
                caller.doWork(System.nanoTime());
                listener.doWork(System.nanoTime());
                int n = listener.receive(scratch, 0, scratch.length);
                if (n > 0) {
                    assertArrayEquals(payload, Arrays.copyOf(scratch, n), "datagram " + (sequence - 1));
                    received++;
                    // drain, as a session's network thread does: junk must deliver nothing
                    assertEquals(0, listener.receive(scratch, 0, scratch.length), "junk delivered as a datagram");
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "datagram " + (sequence - 1) + " of the call never arrived");
            }
        }
    }

    private static byte[] payload(int seq) {
        byte[] b = new byte[100 + seq % 900];
        new Random(seq).nextBytes(b);
        b[0] = (byte) seq;
        return b;
    }

    private void pump(long ms) {
        long until = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() < until) {
            listener.doWork(System.nanoTime());
            listener.receive(scratch, 0, scratch.length);
            caller.doWork(System.nanoTime());
        }
    }

    /** Pumps the listener (and keeps the call talking) until {@code condition}; fails after 5 s. */
    private void pumpUntil(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 8_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            talk(1);
            pump(5);
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    /** Reads what the listener answers until it closes the connection (talking meanwhile, so it is served). */
    private String answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        s.setSoTimeout(20);
        StringBuilder text = new StringBuilder();
        byte[] b = new byte[4096];
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            talk(1);
            try {
                int n = in.read(b);
                if (n < 0) {
                    return text.toString();
                }
                text.append(new String(b, 0, n, StandardCharsets.ISO_8859_1));
            } catch (java.net.SocketTimeoutException notYet) {
                // serve and read again
            } catch (java.net.SocketException reset) {
                return text.toString();
            }
        }
        throw new AssertionError("the listener never closed the connection; it said: " + text);
    }

    @Test
    void shouldServeTheInfoPageWithTheFingerprintAndRefuseOtherPathsAndMethods() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String page = answer(s);
            assertTrue(page.startsWith("HTTP/1.1 200 OK"), page);
            assertTrue(page.contains("testfingerprint") && page.contains("viz -c"), page);
        }
        String[][] cases = {
            {"GET /admin HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404"},
            {"GET /viz HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404"}, // the path, but no upgrade
            {"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "HTTP/1.1 405"},
            {"GET /viz HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n", "HTTP/1.1 426"},
            {"GARBAGE\r\n\r\n", "HTTP/1.1 400"},
            {"G" + "x".repeat(5000), "HTTP/1.1 431"},
        };
        for (String[] c : cases) {
            try (Socket s = connect()) {
                s.getOutputStream().write(c[0].getBytes(StandardCharsets.ISO_8859_1));
                String reply = answer(s);
                assertTrue(reply.startsWith(c[1]), c[0].substring(0, Math.min(40, c[0].length())) + " -> " + reply);
            }
        }
        pumpUntil(() -> listener.stat(ListenTransport.Stat.CONNECTIONS_REFUSED) >= cases.length, "refusals counted");
        assertEquals(1, listener.stat(ListenTransport.Stat.PAGES_SERVED));
        talk(50);
    }

    @Test
    void shouldCloseGarbageAndOversizedFramesAndSkipWebSocketTextWithoutDisturbingTheCall() throws Exception {
        Random random = new Random(7);
        long refusedBefore = listener.stat(ListenTransport.Stat.CONNECTIONS_REFUSED);
        // A raw stream announcing a 65,535-byte frame: over the limit, closed without reading it.
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3});
            answer(s);
        }
        // Garbage: random bytes whose first byte is not an upper-case letter read as raw frames: refused or dropped.
        for (int i = 0; i < 20; i++) {
            try (Socket s = connect()) {
                byte[] junk = new byte[1 + random.nextInt(3000)];
                random.nextBytes(junk);
                junk[0] = (byte) (0x40 | (junk[0] & 0x3F)); // big lengths mostly
                junk[0] = junk[0] >= 'A' && junk[0] <= 'Z' ? 0x7F : junk[0];
                s.getOutputStream().write(junk);
            }
            talk(2);
        }
        // A WebSocket that sends a text message, then a binary frame bigger than the limit.
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /viz HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {(byte) 0x81, (byte) 0x85, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'}); // masked text "hello"
            long framesBefore = listener.stat(ListenTransport.Stat.FRAMES_DROPPED);
            pumpUntil(() -> listener.stat(ListenTransport.Stat.FRAMES_DROPPED) > framesBefore, "the text message skipped");
            out.write(new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 0, 0x7F, 0, 0, 0, 1, 2, 3, 4}); // 2^63-ish bytes
            String reply = answer(s);
            assertTrue(reply.startsWith("HTTP/1.1 101"), reply);
        }
        pumpUntil(() -> listener.stat(ListenTransport.Stat.CONNECTIONS_REFUSED) >= refusedBefore + 2,
                "the oversized frames closed their connections");
        talk(100);
        assertTrue(listener.openConnections() <= ListenTransport.MAX_CONNECTIONS + 1);
        System.out.println("junk: refused " + listener.stat(ListenTransport.Stat.CONNECTIONS_REFUSED) + ", frames dropped "
                + listener.stat(ListenTransport.Stat.FRAMES_DROPPED) + ", call datagrams delivered " + received);
    }

    @Test
    void shouldCloseASlowClientAndBoundAThousandIdleConnections() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            Socket slow = connect();
            sockets.add(slow);
            slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 1000; i++) {
                sockets.add(connect());
                if (i % 16 == 0) {
                    talk(1);
                }
            }
            pumpUntil(() -> listener.stat(ListenTransport.Stat.CONNECTIONS_ACCEPTED) >= 1002, "every connection accepted");
            assertTrue(listener.openConnections() <= ListenTransport.MAX_CONNECTIONS + 1,
                    "connections held: " + listener.openConnections());
            long refused = listener.stat(ListenTransport.Stat.CONNECTIONS_REFUSED);
            assertTrue(refused >= 1000 - ListenTransport.MAX_CONNECTIONS, "pushed out: " + refused);
            // The slow client's request head never completes: it is closed after the head timeout, like all the idle ones.
            slow.getOutputStream().write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
            pumpUntil(() -> listener.stat(ListenTransport.Stat.CONNECTIONS_TIMED_OUT) > 0
                    && listener.openConnections() <= 1, "idle and slow connections timed out");
            talk(100);
            System.out.println("1001 junk connections: refused " + refused + ", timed out "
                    + listener.stat(ListenTransport.Stat.CONNECTIONS_TIMED_OUT) + ", held at most "
                    + ListenTransport.MAX_CONNECTIONS + " + the call's; call datagrams delivered " + received);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
