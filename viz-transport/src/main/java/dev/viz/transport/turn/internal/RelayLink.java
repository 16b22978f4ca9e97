package dev.viz.transport.turn.internal;

import dev.viz.transport.internal.ReadInterest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The client's connection to the TURN server: UDP, TCP or TLS. It moves whole STUN messages and
 * whole ChannelData messages; over a stream it frames them as RFC 8656 section 12.5 says (a STUN
 * message is self-delimiting, a ChannelData message is padded to a multiple of 4 bytes).
 *
 * <p>Network thread only, except {@link #close()}. Sending and receiving allocate nothing.
 */
public abstract class RelayLink implements AutoCloseable {
    /** {@link #send}: the operating system refused the message, or a stream is still busy with an earlier one. */
    public static final int ERROR = -1;

    volatile long bytesSent;
    volatile long bytesReceived;

    /** Whether messages travel over a stream (ChannelData must then be padded). */
    public abstract boolean isStream();

    /** Sends one whole message; returns its length or {@link #ERROR}. */
    public abstract int send(byte[] b, int off, int length);

    /** Copies one whole received message to {@code b[off..]}; returns its length, 0 when none is waiting. */
    public abstract int receive(byte[] b, int off, int capacity);

    /** Continues work a send left unfinished (a partly written stream); returns whether any was done. */
    public int flush() {
        return 0;
    }

    public long bytesSent() {
        return bytesSent;
    }

    /**
     * Network thread: registers the socket for reads when only new bytes on it can give this link
     * work ({@code Transport#registerReads}); a stream link is polled (its buffers may hold a message).
     */
    public boolean registerReads(Selector selector) {
        return false;
    }

    /** Whether the connection failed for good (a stream closed or out of step); the client must reconnect. */
    public boolean isBroken() {
        return false;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    @Override
    public abstract void close();

    /** UDP "connected" to the server, so the kernel drops datagrams from anyone else. */
    public static RelayLink udp(InetSocketAddress server) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            ch.configureBlocking(false);
            ch.connect(server);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new Udp(ch);
    }

    /** TCP to the server, connected (blocking, within {@code timeoutMs}) before this returns. */
    public static RelayLink tcp(InetSocketAddress server, int timeoutMs) throws IOException {
        return new Stream(connect(server, timeoutMs));
    }

    static SocketChannel connect(InetSocketAddress server, int timeoutMs) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(server, timeoutMs);
            ch.configureBlocking(false);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    private static final class Udp extends RelayLink {
        private final DatagramChannel channel;
        private final ReadInterest reads = new ReadInterest();
        private byte[] sendArray;
        private ByteBuffer sendView;
        private byte[] receiveArray;
        private ByteBuffer receiveView;

        Udp(DatagramChannel channel) {
            this.channel = channel;
        }

        @Override
        public boolean registerReads(Selector selector) {
            return reads.register(channel, selector);
        }

        @Override
        public boolean isStream() {
            return false;
        }

        @Override
        public int send(byte[] b, int off, int length) {
            if (b != sendArray) {
                sendArray = b;
                sendView = ByteBuffer.wrap(b);
            }
            sendView.limit(off + length).position(off);
            try {
                int n = channel.write(sendView);
                if (n != length) {
                    return ERROR;
                }
                bytesSent += n;
                return n;
            } catch (IOException | RuntimeException e) {
                return ERROR;
            }
        }

        @Override
        public int receive(byte[] b, int off, int capacity) {
            if (b != receiveArray) {
                receiveArray = b;
                receiveView = ByteBuffer.wrap(b);
            }
            receiveView.limit(off + capacity).position(off);
            try {
                int n = channel.read(receiveView);
                if (n <= 0) {
                    return 0;
                }
                bytesReceived += n;
                return n;
            } catch (IOException | RuntimeException e) {
                return 0; // an ICMP port unreachable from an earlier send: nothing to deliver
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to flush
            }
        }
    }

    /**
     * A byte stream (TCP, or TLS through {@link TlsStream}): received bytes gather in one buffer and
     * leave it a whole message at a time; a message the socket could not take at once is finished
     * by {@link #flush()}, and while it is, new sends are refused (a stream drops, it never queues).
     */
    static class Stream extends RelayLink {
        static final int BUFFER_BYTES = 1 << 17;
        final SocketChannel channel;
        /** Plain bytes received, waiting to be cut into messages: [0, limit) readable after flip. */
        final ByteBuffer in = ByteBuffer.allocate(BUFFER_BYTES);
        /** Plain bytes to send. */
        final ByteBuffer out = ByteBuffer.allocate(BUFFER_BYTES);
        boolean broken;

        Stream(SocketChannel channel) {
            this.channel = channel;
            out.flip(); // empty, in read mode
        }

        @Override
        public boolean isStream() {
            return true;
        }

        @Override
        public int send(byte[] b, int off, int length) {
            if (broken || flush() < 0 || busy()) {
                return ERROR;
            }
            out.clear();
            out.put(b, off, length);
            out.flip();
            if (flush() < 0) {
                return ERROR;
            }
            return length;
        }

        /** Whether bytes of an earlier message still wait for the socket. */
        boolean busy() {
            return out.hasRemaining();
        }

        @Override
        public int flush() {
            if (!busy()) {
                return 0;
            }
            try {
                int n = writeOut();
                return n;
            } catch (IOException | RuntimeException e) {
                broken = true;
                return -1;
            }
        }

        /** Writes what it can of {@link #out}; returns the bytes taken from it. */
        int writeOut() throws IOException {
            int n = channel.write(out);
            bytesSent += n;
            return n;
        }

        /** Reads what the socket has into {@link #in} (write mode). */
        int readIn() throws IOException {
            int n = channel.read(in);
            if (n > 0) {
                bytesReceived += n;
            }
            return n;
        }

        @Override
        public int receive(byte[] b, int off, int capacity) {
            if (broken) {
                return 0;
            }
            int available = in.position();
            if (frameLength(available) == 0) {
                try {
                    if (readIn() < 0) {
                        broken = true;
                        return 0;
                    }
                } catch (IOException | RuntimeException e) {
                    broken = true;
                    return 0;
                }
            }
            int frame = frameLength(in.position());
            if (frame <= 0) {
                if (frame < 0) {
                    broken = true; // a frame larger than any message: the stream is out of step
                }
                return 0;
            }
            byte[] a = in.array();
            int messageLength = (a[0] & 0xC0) == 0 ? frame : 4 + StunMessage.readShort(a, 2);
            int n = Math.min(messageLength, capacity);
            System.arraycopy(a, 0, b, off, n);
            in.flip();
            in.position(frame);
            in.compact();
            return n;
        }

        /** Length of the whole frame at the start of {@link #in} if all of it is there, 0 if not yet, -1 if impossible. */
        private int frameLength(int available) {
            if (available < 4) {
                return 0;
            }
            byte[] a = in.array();
            int length = StunMessage.readShort(a, 2);
            int frame = (a[0] & 0xC0) == 0 ? StunMessage.HEADER_BYTES + length : 4 + StunMessage.pad4(length);
            if (frame > BUFFER_BYTES) {
                return -1;
            }
            return available >= frame ? frame : 0;
        }

        @Override
        public boolean isBroken() {
            return broken;
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to flush
            }
        }
    }
}
