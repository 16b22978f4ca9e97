package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * One side of a secure call in a test: a {@link SecureTransport} over a real transport, driven by
 * the test thread the way a session's network thread drives it, recording every event.
 */
final class Endpoint implements Transport.Events, AutoCloseable {
    final String name;
    final SecureTransport transport;
    final Transport inner;
    final List<byte[]> received = new CopyOnWriteArrayList<>();
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final List<String> codes = new CopyOnWriteArrayList<>();
    final List<String> peerMoves = new CopyOnWriteArrayList<>();
    final Map<Transport.Rejection, Integer> rejections = new EnumMap<>(Transport.Rejection.class);
    volatile String failure;
    volatile int readyEvents;
    volatile int notReadyEvents;
    private final byte[] buffer = new byte[65_536];

    Endpoint(String name, SecureTransport transport, Transport inner) {
        this.name = name;
        this.transport = transport;
        this.inner = inner;
    }

    /** A listening side on a free loopback port. */
    static Endpoint listener(String name, SecureTransport.Builder configure) throws IOException {
        return open(name, configure);
    }

    static UdpTransport udpListener() {
        return UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
    }

    static UdpTransport udpCaller(int port) {
        return UdpTransport.connect("127.0.0.1", port);
    }

    static Endpoint open(String name, SecureTransport.Builder configure) throws IOException {
        SecureTransport secure = configure.build();
        Endpoint endpoint = new Endpoint(name, secure, null);
        secure.open(endpoint);
        return endpoint;
    }

    static Endpoint open(String name, SecureTransport.Builder configure, Transport inner) throws IOException {
        SecureTransport secure = configure.build();
        Endpoint endpoint = new Endpoint(name, secure, inner);
        secure.open(endpoint);
        return endpoint;
    }

    /** One duty cycle: timers, then everything that arrived. */
    void poll() {
        transport.doWork(System.nanoTime());
        int n;
        while ((n = transport.receive(buffer, 0, buffer.length)) > 0) {
            received.add(Arrays.copyOf(buffer, n));
        }
    }

    int send(byte[] payload) {
        return transport.send(payload, 0, payload.length);
    }

    boolean isReady() {
        return transport.isReady();
    }

    synchronized int rejected(Transport.Rejection why) {
        return rejections.getOrDefault(why, 0);
    }

    /** Polls every endpoint until {@code condition} holds. */
    static void pumpUntil(BooleanSupplier condition, long timeoutMs, String what, Endpoint... endpoints) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out after " + timeoutMs + " ms waiting for " + what);
            for (Endpoint e : endpoints) {
                e.poll();
            }
            Thread.onSpinWait();
        }
    }

    /** Polls every endpoint for a while, whatever happens. */
    static void pumpFor(long ms, Endpoint... endpoints) {
        long until = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() < until) {
            for (Endpoint e : endpoints) {
                e.poll();
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void onReady(String peer) {
        readyEvents++;
    }

    @Override
    public void onNotReady(String reason) {
        notReadyEvents++;
    }

    @Override
    public void onPeerMoved(String peer) {
        peerMoves.add(peer);
    }

    @Override
    public void onSecured(String peerFingerprint, String verificationCode) {
        codes.add(verificationCode);
    }

    @Override
    public void onFailed(String reason) {
        failure = reason;
    }

    @Override
    public void onWarning(String message) {
        warnings.add(message);
    }

    @Override
    public synchronized void onRejected(Transport.Rejection why) {
        rejections.merge(why, 1, Integer::sum);
    }

    String lastCode() {
        return codes.isEmpty() ? null : codes.get(codes.size() - 1);
    }

    List<String> allWarnings() {
        return new ArrayList<>(warnings);
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
