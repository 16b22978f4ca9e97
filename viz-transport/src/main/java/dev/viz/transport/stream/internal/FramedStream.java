package dev.viz.transport.stream.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SelectableChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * One byte stream (TCP, optionally TLS through the JDK's {@link SSLEngine}) carrying datagrams as
 * frames ({@link FrameHeader}): length-prefixed or WebSocket messages.
 *
 * <p><b>Sending never queues.</b> A frame goes straight to the socket. When the socket cannot take
 * all of it now (the kernel's send buffer is full because the path is slow or retransmitting), the
 * rest of that frame stays in {@code wire} and must go first, since a stream cannot skip bytes. At
 * most one further whole frame waits behind it; a newer one replaces it and the replaced batch is
 * counted in {@link #droppedBatches()}. So the sender holds at most one unsent batch of its own
 * and the audio that arrives is always the newest. The socket's send buffer is kept small.
 *
 * <p><b>Receiving</b> reads what the socket has into one reused buffer and hands out whole frames.
 * A frame over the payload limit, a bad WebSocket header or a peer's close ends the stream
 * ({@link #CLOSED}); text and fragmented WebSocket messages are skipped and counted
 * ({@link #droppedFrames()}); pings are answered.
 *
 * <p>One thread at a time (the network thread, or the dialling thread before it hands the stream
 * over). Nothing is allocated per frame on a plain stream; the JDK's TLS engine allocates a small
 * result object per record.
 */
public final class FramedStream implements AutoCloseable {
    /** {@link #readFrame}: the stream ended or failed. */
    public static final int CLOSED = -1;
    /** {@link #writeFrame}: the stream is broken. */
    public static final int BROKEN = -2;
    /** {@link #writeFrame}: the payload is over the limit. */
    public static final int TOO_LARGE = -3;

    /** How the frames are written. */
    public enum Framing {
        /** Raw TCP: a 2-byte length, then the datagram (RFC 4571 style). */
        LENGTH_PREFIXED,
        /** WebSocket binary messages, as the server (unmasked; clients' frames must be masked). */
        WEBSOCKET_SERVER,
        /** WebSocket binary messages, as the client (masked; the server's must not be). */
        WEBSOCKET_CLIENT
    }

    private final ByteChannel channel;
    private final SSLEngine tls;
    private final int maxPayloadBytes;
    private Framing framing;
    private final FrameHeader header = new FrameHeader();

    /** Plaintext received: bytes [inStart, in.position()) not consumed yet. Write mode. */
    private final ByteBuffer in;
    private final byte[] inArray;
    private int inStart;
    /** TLS records received, not yet decrypted (write mode). */
    private final ByteBuffer netIn;

    /** Bytes committed to the stream, not yet written (read mode). */
    private final ByteBuffer wire;
    /** One whole frame (plaintext, framed) waiting behind {@link #wire}. */
    private final byte[] waiting;
    private final ByteBuffer waitingView;
    private int waitingLength;
    private final ByteBuffer empty = ByteBuffer.allocate(0);

    private int maskState;
    private boolean skippingFragments;
    private boolean closed;
    private long droppedBatches;
    private long droppedFrames;
    private long bytesWritten;
    private long bytesRead;

    /**
     * @param tls a TLS engine in client mode whose handshake {@link #handshakeBlocking} will run, or null
     * @param framing the framing, or null until the first bytes tell (a listener's connection)
     */
    public FramedStream(ByteChannel channel, SSLEngine tls, Framing framing, int maxPayloadBytes) {
        this.channel = channel;
        this.tls = tls;
        this.framing = framing;
        this.maxPayloadBytes = maxPayloadBytes;
        int maxFrame = maxPayloadBytes + FrameHeader.MAX_WEBSOCKET_HEADER_BYTES;
        int appRoom = tls == null ? maxFrame : Math.max(maxFrame, tls.getSession().getApplicationBufferSize());
        this.inArray = new byte[Math.max(HttpHead.MAX_HEAD_BYTES, maxFrame) + appRoom];
        this.in = ByteBuffer.wrap(inArray);
        this.netIn = tls == null ? null : ByteBuffer.allocate(tls.getSession().getPacketBufferSize() * 2);
        int wireBytes = tls == null ? Math.max(maxFrame, HttpHead.MAX_HEAD_BYTES)
                : tls.getSession().getPacketBufferSize() + maxFrame + 256;
        this.wire = ByteBuffer.allocate(wireBytes).flip();
        this.waiting = new byte[Math.max(maxFrame, HttpHead.MAX_HEAD_BYTES)];
        this.waitingView = ByteBuffer.wrap(waiting);
        this.maskState = (int) System.nanoTime() | 1;
    }

    public ByteChannel channel() {
        return channel;
    }

    public Framing framing() {
        return framing;
    }

    public void framing(Framing framing) {
        this.framing = framing;
    }

    public boolean isClosed() {
        return closed;
    }

    // ---- receiving -------------------------------------------------------------------------------

    /** Bytes received and not consumed yet (for a listener telling the kind of stream apart). */
    public int buffered() {
        return in.position() - inStart;
    }

    /** The byte at {@code index} among those {@link #buffered()}. */
    public byte bufferedByte(int index) {
        return inArray[inStart + index];
    }

    public byte[] bufferArray() {
        return inArray;
    }

    public int bufferStart() {
        return inStart;
    }

    /** Consumes {@code n} buffered bytes (an HTTP head that was parsed). */
    public void consume(int n) {
        inStart += n;
        if (inStart == in.position()) {
            inStart = 0;
            in.clear();
        }
    }

    /**
     * Reads what the socket has (non-blocking, or blocking when the channel is) into the buffer.
     *
     * @return bytes of plaintext added (0 when none now), or {@link #CLOSED}
     */
    public int fill() {
        if (closed) {
            return CLOSED;
        }
        if (inStart > 0 && (in.remaining() < in.capacity() / 2 || inStart == in.position())) {
            int n = in.position() - inStart;
            System.arraycopy(inArray, inStart, inArray, 0, n);
            in.position(n);
            inStart = 0;
        }
        if (!in.hasRemaining()) {
            return 0;
        }
        try {
            int before = in.position();
            if (tls == null) {
                int n = channel.read(in);
                if (n < 0) {
                    closed = true;
                    return CLOSED;
                }
                bytesRead += Math.max(n, 0);
                return n;
            }
            int n = channel.read(netIn);
            if (n < 0 && netIn.position() == 0) {
                closed = true;
                return CLOSED;
            }
            bytesRead += Math.max(n, 0);
            if (!unwrapAll()) {
                return CLOSED;
            }
            int added = in.position() - before;
            if (n < 0 && added == 0) {
                closed = true;
                return CLOSED;
            }
            return added;
        } catch (IOException | RuntimeException e) {
            closed = true;
            return CLOSED;
        }
    }

    private boolean unwrapAll() throws IOException {
        netIn.flip();
        try {
            while (netIn.hasRemaining()) {
                SSLEngineResult result = tls.unwrap(netIn, in);
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    closed = true;
                    return false;
                }
                if (result.getStatus() != SSLEngineResult.Status.OK) {
                    break; // underflow: wait for the rest of the record; overflow: consume first
                }
                runHandshakeSteps(result.getHandshakeStatus());
                if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                    break;
                }
            }
        } finally {
            netIn.compact();
        }
        return true;
    }

    private void runHandshakeSteps(SSLEngineResult.HandshakeStatus status) throws IOException {
        while (true) {
            switch (status) {
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = tls.getDelegatedTask()) != null) {
                        task.run();
                    }
                    status = tls.getHandshakeStatus();
                }
                case NEED_WRAP -> {
                    if (wire.hasRemaining()) {
                        flushWire();
                        if (wire.hasRemaining()) {
                            return; // written later, by flush()
                        }
                    }
                    wire.clear();
                    SSLEngineResult r = tls.wrap(empty, wire);
                    wire.flip();
                    flushWire();
                    status = r.getHandshakeStatus();
                }
                default -> {
                    return;
                }
            }
        }
    }

    /**
     * Returns the next whole binary frame's payload, copied into {@code dst}; reads the socket
     * when the buffer holds no whole frame.
     *
     * @return the payload length, 0 when none is complete yet, or {@link #CLOSED} (the stream is
     *     over: the peer closed it, it failed, or it sent a frame this side refuses)
     */
    public int readFrame(byte[] dst, int offset, int capacity) {
        boolean filled = false;
        while (true) {
            int status = nextFrame(dst, offset, capacity);
            if (status != 0) {
                return status;
            }
            if (filled || closed) {
                return closed ? CLOSED : 0;
            }
            int n = fill();
            if (n < 0) {
                return CLOSED;
            }
            if (n == 0) {
                return 0;
            }
            filled = n < in.capacity() / 4; // read again when the socket may hold more than one read took
        }
    }

    /** Takes frames from the buffer until one carries a payload: its length, 0 when none is whole, or CLOSED. */
    private int nextFrame(byte[] dst, int offset, int capacity) {
        boolean webSocket = framing != Framing.LENGTH_PREFIXED;
        while (true) {
            int end = in.position();
            int status = header.decode(inArray, inStart, end, webSocket, framing == Framing.WEBSOCKET_SERVER,
                    Math.min(maxPayloadBytes, capacity));
            if (status == FrameHeader.NEED_MORE) {
                return 0;
            }
            if (status == FrameHeader.INVALID) {
                droppedFrames++;
                close();
                return CLOSED;
            }
            int payloadStart = inStart + header.headerLength;
            int length = header.payloadLength;
            header.unmask(inArray, payloadStart);
            consume(header.headerLength + length);
            switch (header.opcode) {
                case FrameHeader.OPCODE_BINARY -> {
                    if (!header.fin) {
                        skippingFragments = true;
                        droppedFrames++;
                    } else if (length == 0) {
                        droppedFrames++;
                    } else {
                        System.arraycopy(inArray, payloadStart, dst, offset, length);
                        return length;
                    }
                }
                case FrameHeader.OPCODE_CONTINUATION -> {
                    if (!skippingFragments) {
                        droppedFrames++;
                    }
                    if (header.fin) {
                        skippingFragments = false;
                    }
                }
                case FrameHeader.OPCODE_TEXT -> {
                    droppedFrames++;
                    skippingFragments = !header.fin;
                }
                case FrameHeader.OPCODE_PING -> {
                    System.arraycopy(inArray, payloadStart, waiting, waiting.length - length, length);
                    sendControl(FrameHeader.OPCODE_PONG, waiting, waiting.length - length, length);
                }
                case FrameHeader.OPCODE_CLOSE -> {
                    sendControl(FrameHeader.OPCODE_CLOSE, inArray, payloadStart, Math.min(length, 2));
                    close();
                    return CLOSED;
                }
                default -> {
                    // a pong: nothing to do
                }
            }
        }
    }

    private void sendControl(int opcode, byte[] payload, int offset, int length) {
        if (!wire.hasRemaining() && waitingLength == 0) {
            writeFrame(payload, offset, length, opcode);
        }
    }

    // ---- sending ---------------------------------------------------------------------------------

    /** Sends one datagram as one binary frame; see the class comment for what happens when the socket is full. */
    public int writeFrame(byte[] src, int offset, int length) {
        return writeFrame(src, offset, length, FrameHeader.OPCODE_BINARY);
    }

    private int writeFrame(byte[] src, int offset, int length, int opcode) {
        if (closed) {
            return BROKEN;
        }
        if (length > maxPayloadBytes) {
            return TOO_LARGE;
        }
        if (flush() < 0) {
            return BROKEN;
        }
        if (wire.hasRemaining()) {
            if (waitingLength > 0) {
                droppedBatches++;
            }
            waitingLength = frame(src, offset, length, opcode, waiting);
            return length;
        }
        int n = frame(src, offset, length, opcode, waiting);
        if (!commit(n)) {
            return BROKEN;
        }
        return flush() < 0 ? BROKEN : length;
    }

    private int frame(byte[] src, int offset, int length, int opcode, byte[] out) {
        boolean webSocket = framing != Framing.LENGTH_PREFIXED;
        boolean mask = framing == Framing.WEBSOCKET_CLIENT;
        int key = 0;
        if (mask) {
            int x = maskState; // xorshift32: masking only keeps proxies from reading frames as HTTP
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            maskState = x;
            key = x;
        }
        int h = FrameHeader.encode(out, 0, length, webSocket, opcode, mask, key);
        System.arraycopy(src, offset, out, h, length);
        if (mask) {
            FrameHeader.applyMask(out, h, length, key);
        }
        return h + length;
    }

    /** Puts {@code waiting[0 .. n)} on the wire (encrypting it on TLS); the wire must be empty. */
    private boolean commit(int n) {
        wire.clear();
        if (tls == null) {
            wire.put(waiting, 0, n);
        } else {
            waitingView.clear().limit(n);
            try {
                SSLEngineResult r = tls.wrap(waitingView, wire);
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    wire.flip();
                    closed = true;
                    return false;
                }
            } catch (SSLException e) {
                wire.flip();
                closed = true;
                return false;
            }
        }
        wire.flip();
        return true;
    }

    /**
     * Writes what is pending, as far as the socket takes it now.
     *
     * @return 1 when nothing is pending any more, 0 when some is, {@link #BROKEN}
     */
    public int flush() {
        if (closed) {
            return BROKEN;
        }
        try {
            while (true) {
                flushWire();
                if (wire.hasRemaining()) {
                    return 0;
                }
                if (waitingLength == 0) {
                    return 1;
                }
                int n = waitingLength;
                waitingLength = 0;
                if (!commit(n)) {
                    return BROKEN;
                }
            }
        } catch (IOException | RuntimeException e) {
            closed = true;
            return BROKEN;
        }
    }

    private void flushWire() throws IOException {
        while (wire.hasRemaining()) {
            int n = channel.write(wire);
            if (n <= 0) {
                return;
            }
            bytesWritten += n;
        }
    }

    /**
     * Writes unframed bytes (an HTTP response head or page, on a plain stream) as far as the socket
     * takes them now; the rest goes out with later {@link #flush()} calls.
     *
     * @return false when they do not fit behind what is pending, or the stream is broken
     */
    public boolean writeRaw(byte[] bytes) {
        if (closed || tls != null || wire.hasRemaining() || waitingLength > 0 || bytes.length > wire.capacity()) {
            return false;
        }
        wire.clear();
        wire.put(bytes);
        wire.flip();
        return flush() >= 0;
    }

    /** Whether bytes wait for the socket. */
    public boolean hasPending() {
        return wire.hasRemaining() || waitingLength > 0;
    }

    // ---- connection set-up (blocking, on the dialling thread) -------------------------------------

    /** Runs the TLS handshake on a blocking channel. */
    public void handshakeBlocking() throws IOException {
        tls.beginHandshake();
        SSLEngineResult.HandshakeStatus status = tls.getHandshakeStatus();
        while (status != SSLEngineResult.HandshakeStatus.FINISHED
                && status != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
            switch (status) {
                case NEED_WRAP -> {
                    wire.clear();
                    SSLEngineResult r = tls.wrap(empty, wire);
                    wire.flip();
                    writeWireBlocking();
                    status = r.getHandshakeStatus();
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the server closed the TLS connection during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    netIn.flip();
                    SSLEngineResult r = tls.unwrap(netIn, in);
                    netIn.compact();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        if (channel.read(netIn) < 0) {
                            throw new SSLException("the server closed the connection during the TLS handshake");
                        }
                    } else if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("the server closed the TLS connection during the handshake");
                    }
                    status = r.getHandshakeStatus();
                }
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = tls.getDelegatedTask()) != null) {
                        task.run();
                    }
                    status = tls.getHandshakeStatus();
                }
                default -> throw new SSLException("unexpected TLS handshake state " + status);
            }
        }
    }

    /** Writes {@code bytes} whole (an HTTP head) on a blocking channel, through TLS when there is one. */
    public void writeBlocking(byte[] bytes) throws IOException {
        System.arraycopy(bytes, 0, waiting, 0, bytes.length);
        if (!commit(bytes.length)) {
            throw new IOException("the TLS connection closed");
        }
        writeWireBlocking();
    }

    private void writeWireBlocking() throws IOException {
        while (wire.hasRemaining()) {
            int n = channel.write(wire);
            if (n < 0) {
                throw new IOException("connection closed");
            }
            bytesWritten += n;
        }
    }

    /**
     * Reads until a whole HTTP head is buffered (blocking channel), then returns its end
     * (relative to {@link #bufferStart()}).
     */
    public int readHeadBlocking() throws IOException {
        while (true) {
            int end = HttpHead.headEnd(inArray, inStart, in.position());
            if (end >= 0) {
                return end - inStart;
            }
            if (buffered() >= HttpHead.MAX_HEAD_BYTES) {
                throw new IOException("the server's HTTP response head is over " + HttpHead.MAX_HEAD_BYTES + " bytes");
            }
            if (fill() < 0) {
                throw new IOException("the server closed the connection before answering the WebSocket upgrade");
            }
        }
    }

    // ---- counters and closing ------------------------------------------------------------------------

    /** Whole batches replaced by a newer one because the socket could not take them. */
    public long droppedBatches() {
        return droppedBatches;
    }

    /** Frames received and skipped: text or fragmented WebSocket messages, empty frames, refused headers. */
    public long droppedFrames() {
        return droppedFrames;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to flush that matters
        }
    }

    /**
     * Whether only new bytes on the socket can give this stream something to do: a plain socket (no
     * TLS engine, whose buffers may hold a record), nothing received and not yet read, nothing waiting
     * to be written. Then the network thread may sleep on the channel.
     */
    public boolean canWaitForReads() {
        return !closed && tls == null && isSelectable() && buffered() == 0 && !hasPending();
    }

    /** Whether the channel is selectable (a socket) rather than a test's in-memory channel. */
    public boolean isSelectable() {
        return channel instanceof SelectableChannel;
    }
}
