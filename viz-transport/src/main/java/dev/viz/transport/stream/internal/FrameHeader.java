package dev.viz.transport.stream.internal;

/**
 * The header of one stream frame, decoded in place from a {@code byte[]} into this reusable object
 * (a flyweight: nothing is allocated per frame). Two framings carry one datagram per frame:
 *
 * <p><b>Length-prefixed</b> (raw TCP, as RFC 4571 frames RTP): a big-endian 16-bit length, then
 * that many bytes.
 *
 * <pre>
 *   0                   1
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *  +-------------------------------+---------------------------
 *  |      length (u16, bytes)      |  datagram payload ...
 *  +-------------------------------+---------------------------
 * </pre>
 *
 * <p><b>WebSocket</b> (RFC 6455 section 5.2): one binary message per datagram.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *  |     Extended payload length continued, if payload len == 127  |
 *  + - - - - - - - - - - - - - - - +-------------------------------+
 *  |                               | Masking-key, if MASK set to 1 |
 *  +-------------------------------+-------------------------------+
 *  | Masking-key (continued)       |          Payload Data         |
 *  +-------------------------------- - - - - - - - - - - - - - - - +
 * </pre>
 *
 * <p>A client masks every frame it sends, a server never does (RFC 6455 section 5.1). Viz sends
 * only binary frames with FIN set and no extensions; it answers pings and closes, and drops text
 * and fragmented messages.
 */
public final class FrameHeader {
    /** {@link #decode} status: a whole frame is in the buffer. */
    public static final int COMPLETE = 1;
    /** {@link #decode} status: more bytes are needed. */
    public static final int NEED_MORE = 0;
    /** {@link #decode} status: not a frame this side accepts (bad bits, wrong masking, oversized): refuse the stream. */
    public static final int INVALID = -1;

    public static final int LENGTH_PREFIX_BYTES = 2;
    /** The largest length a 2-byte prefix can state. */
    public static final int MAX_LENGTH_PREFIXED = 0xFFFF;
    /** The longest WebSocket header: 2 + 8 bytes of length + 4 of mask. */
    public static final int MAX_WEBSOCKET_HEADER_BYTES = 14;
    /** The longest header either framing writes for a payload up to 65535 bytes (client: 2 + 2 + 4). */
    public static final int MAX_SENT_HEADER_BYTES = 8;
    public static final int MAX_CONTROL_PAYLOAD_BYTES = 125;

    public static final int OPCODE_CONTINUATION = 0x0;
    public static final int OPCODE_TEXT = 0x1;
    public static final int OPCODE_BINARY = 0x2;
    public static final int OPCODE_CLOSE = 0x8;
    public static final int OPCODE_PING = 0x9;
    public static final int OPCODE_PONG = 0xA;

    private static final int FIN = 0x80;
    private static final int RSV = 0x70;
    private static final int MASK = 0x80;

    /** Opcode of the decoded frame ({@link #OPCODE_BINARY} for every length-prefixed frame). */
    public int opcode;
    public boolean fin;
    /** Bytes before the payload. */
    public int headerLength;
    /** Payload bytes (at most the decoder's limit when {@link #COMPLETE}). */
    public int payloadLength;
    public boolean masked;
    /** The 32-bit masking key, big-endian, when {@link #masked}. */
    public int maskKey;

    /**
     * Decodes the frame header at {@code buffer[start .. end)}.
     *
     * @param webSocket WebSocket framing, else length-prefixed
     * @param expectMasked for WebSocket: true on the server (clients must mask), false on the client
     * @param maxPayloadBytes the largest payload accepted; a longer frame is {@link #INVALID}
     * @return {@link #COMPLETE} when the whole frame (header and payload) is in the buffer,
     *     {@link #NEED_MORE}, or {@link #INVALID}
     */
    public int decode(byte[] buffer, int start, int end, boolean webSocket, boolean expectMasked, int maxPayloadBytes) {
        int available = end - start;
        if (available < 2) {
            return NEED_MORE;
        }
        if (!webSocket) {
            int length = (buffer[start] & 0xFF) << 8 | buffer[start + 1] & 0xFF;
            opcode = OPCODE_BINARY;
            fin = true;
            masked = false;
            headerLength = LENGTH_PREFIX_BYTES;
            payloadLength = length;
            if (length > maxPayloadBytes) {
                return INVALID;
            }
            return available >= LENGTH_PREFIX_BYTES + length ? COMPLETE : NEED_MORE;
        }
        int b0 = buffer[start] & 0xFF;
        int b1 = buffer[start + 1] & 0xFF;
        fin = (b0 & FIN) != 0;
        opcode = b0 & 0x0F;
        masked = (b1 & MASK) != 0;
        if ((b0 & RSV) != 0 || masked != expectMasked) {
            return INVALID;
        }
        if (opcode >= OPCODE_CLOSE) {
            if (opcode > OPCODE_PONG || !fin) {
                return INVALID;
            }
        } else if (opcode > OPCODE_BINARY) {
            return INVALID;
        }
        int length7 = b1 & 0x7F;
        int header = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (available < header) {
            return NEED_MORE;
        }
        long length;
        int p = start + 2;
        if (length7 == 126) {
            length = (buffer[p] & 0xFF) << 8 | buffer[p + 1] & 0xFF;
            p += 2;
        } else if (length7 == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = length << 8 | buffer[p + i] & 0xFF;
            }
            p += 8;
            if (length < 0) {
                return INVALID;
            }
        } else {
            length = length7;
        }
        if (opcode >= OPCODE_CLOSE && length > MAX_CONTROL_PAYLOAD_BYTES) {
            return INVALID;
        }
        if (length > maxPayloadBytes && opcode < OPCODE_CLOSE) {
            return INVALID;
        }
        maskKey = masked ? (buffer[p] & 0xFF) << 24 | (buffer[p + 1] & 0xFF) << 16 | (buffer[p + 2] & 0xFF) << 8
                | buffer[p + 3] & 0xFF : 0;
        headerLength = header;
        payloadLength = (int) length;
        return available - header >= length ? COMPLETE : NEED_MORE;
    }

    /** Removes the mask from the decoded frame's payload, in place. */
    public void unmask(byte[] buffer, int payloadOffset) {
        if (masked) {
            applyMask(buffer, payloadOffset, payloadLength, maskKey);
        }
    }

    /** XORs {@code buffer[offset .. offset + length)} with the 4-byte key (RFC 6455 section 5.3). */
    public static void applyMask(byte[] buffer, int offset, int length, int key) {
        for (int i = 0; i < length; i++) {
            buffer[offset + i] ^= (byte) (key >>> (24 - 8 * (i & 3)));
        }
    }

    /**
     * Writes a frame header for a payload of {@code length} bytes.
     *
     * @param webSocket WebSocket framing (then {@code opcode}, and the mask when {@code maskKey} is
     *     non-null, as a client must), else the 2-byte length
     * @return the header's length
     */
    public static int encode(byte[] buffer, int offset, int length, boolean webSocket, int opcode, boolean mask,
            int maskKey) {
        if (!webSocket) {
            buffer[offset] = (byte) (length >>> 8);
            buffer[offset + 1] = (byte) length;
            return LENGTH_PREFIX_BYTES;
        }
        buffer[offset] = (byte) (FIN | opcode);
        int p = offset + 2;
        if (length < 126) {
            buffer[offset + 1] = (byte) ((mask ? MASK : 0) | length);
        } else {
            buffer[offset + 1] = (byte) ((mask ? MASK : 0) | 126);
            buffer[p++] = (byte) (length >>> 8);
            buffer[p++] = (byte) length;
        }
        if (mask) {
            buffer[p++] = (byte) (maskKey >>> 24);
            buffer[p++] = (byte) (maskKey >>> 16);
            buffer[p++] = (byte) (maskKey >>> 8);
            buffer[p++] = (byte) maskKey;
        }
        return p - offset;
    }
}
