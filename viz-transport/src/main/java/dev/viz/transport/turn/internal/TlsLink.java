package dev.viz.transport.turn.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS to the relay ({@code turns:}) over a non-blocking socket with the JDK's {@link SSLEngine}:
 * the relay's certificate is checked against its host name. The stream framing is
 * {@link RelayLink.Stream}'s; this class only encrypts below it.
 */
public final class TlsLink extends RelayLink.Stream {
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer netOut;

    private TlsLink(SocketChannel channel, SSLEngine engine) {
        super(channel);
        this.engine = engine;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
        this.netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 2);
        netOut.flip();
    }

    /** Connects and completes the TLS handshake within {@code timeoutMs}. */
    public static RelayLink connect(InetSocketAddress server, String host, SSLContext context, int timeoutMs)
            throws IOException {
        SSLContext ssl;
        try {
            ssl = context != null ? context : SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS in this Java runtime", e);
        }
        SocketChannel ch = connect(server, timeoutMs);
        SSLEngine engine = ssl.createSSLEngine(host, server.getPort());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        TlsLink link = new TlsLink(ch, engine);
        try {
            link.handshake(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e instanceof SSLException ? new IOException("TLS with the relay failed: " + e.getMessage(), e)
                    : e instanceof IOException io ? io : new IOException(e);
        }
        return link;
    }

    private void handshake(long deadlineNs) throws IOException {
        engine.beginHandshake();
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer sink = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        while (true) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IOException("the TLS handshake with the relay timed out");
            }
            SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_WRAP -> {
                    ByteBuffer buffer = netOut.compact();
                    SSLEngineResult r = engine.wrap(empty, buffer);
                    netOut.flip();
                    drainNetOut(deadlineNs);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new IOException("the relay closed the TLS connection during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    netIn.flip();
                    SSLEngineResult r = engine.unwrap(netIn, sink);
                    netIn.compact();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        int n = channel.read(netIn);
                        if (n < 0) {
                            throw new IOException("the relay closed the connection during the TLS handshake");
                        }
                        if (n == 0) {
                            LockSupport.parkNanos(500_000);
                        }
                    } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new IOException("the relay closed the TLS connection during the handshake");
                    }
                }
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    drainNetOut(deadlineNs);
                    sink.flip();
                    in.put(sink); // application data that came with the last handshake flight
                    return;
                }
                default -> throw new IOException("unexpected TLS state " + hs);
            }
        }
    }

    private void drainNetOut(long deadlineNs) throws IOException {
        while (netOut.hasRemaining()) {
            if (channel.write(netOut) == 0) {
                if (System.nanoTime() - deadlineNs > 0) {
                    throw new IOException("the relay does not read (TLS handshake)");
                }
                LockSupport.parkNanos(500_000);
            }
        }
    }

    @Override
    boolean busy() {
        return out.hasRemaining() || netOut.hasRemaining();
    }

    @Override
    int writeOut() throws IOException {
        if (netOut.hasRemaining()) {
            bytesSent += channel.write(netOut);
            if (netOut.hasRemaining()) {
                return 0;
            }
        }
        int consumed = 0;
        while (out.hasRemaining()) {
            netOut.compact();
            SSLEngineResult r = engine.wrap(out, netOut);
            netOut.flip();
            consumed += r.bytesConsumed();
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                throw new IOException("TLS wrap: " + r.getStatus());
            }
            bytesSent += channel.write(netOut);
            if (netOut.hasRemaining()) {
                break;
            }
        }
        return consumed;
    }

    @Override
    int readIn() throws IOException {
        int n = channel.read(netIn);
        if (n < 0) {
            return -1;
        }
        bytesReceived += Math.max(0, n);
        int produced = 0;
        netIn.flip();
        while (netIn.hasRemaining()) {
            SSLEngineResult r = engine.unwrap(netIn, in);
            produced += r.bytesProduced();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                netIn.compact();
                return -1;
            }
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                break; // underflow: wait for more; overflow: the reader takes messages out first
            }
        }
        netIn.compact();
        return produced;
    }

    @Override
    public void close() {
        engine.closeOutbound();
        super.close();
    }
}
