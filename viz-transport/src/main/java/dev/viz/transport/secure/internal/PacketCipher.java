package dev.viz.transport.secure.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Seals and opens data datagrams ({@link DataHeader}): one ChaCha20-Poly1305 (IETF) call per
 * datagram, in place in a native scratch buffer, with pointers computed once. Allocates nothing:
 * the payload is copied in from the caller's array, sealed in place, and copied out (two copies of
 * at most a datagram, a few hundred nanoseconds against about 2 µs of cryptography).
 *
 * <p>Use one instance per thread: the secure layer keeps one for sending and one for receiving.
 */
public final class PacketCipher {
    /** {@link #open}: the datagram failed authentication. */
    public static final int UNAUTHENTICATED = -1;
    /** {@link #open}: authentic, but its padding is not valid or the payload does not fit the destination. */
    public static final int BAD_PADDING = -2;

    private static final int BODY = DataHeader.LENGTH;
    private static final int TAG = Sodium.AEAD_TAG_BYTES;

    private final int maxDatagramBytes;
    private final ByteBuffer scratch;
    private final Pointer header;
    private final Pointer body;
    private final ByteBuffer nonce = ByteBuffer.allocateDirect(Sodium.AEAD_NONCE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final Pointer noncePointer = Native.getDirectBufferPointer(nonce);
    private final byte[] zeros;

    public PacketCipher(int maxDatagramBytes) {
        this.maxDatagramBytes = maxDatagramBytes;
        this.scratch = ByteBuffer.allocateDirect(maxDatagramBytes);
        this.header = Native.getDirectBufferPointer(scratch);
        this.body = header.share(BODY);
        this.zeros = new byte[maxDatagramBytes];
    }

    /**
     * Writes the datagram for {@code payload[offset .. offset + length)} into {@code out[0 ..)},
     * padded to {@code paddedLength} plaintext bytes ({@code length + 1} at least).
     *
     * @return the datagram's length: {@code 9 + paddedLength + 16}
     */
    public int seal(PacketKey key, int receiverIndex, long counter, byte[] payload, int offset, int length,
            int paddedLength, byte[] out) {
        int total = BODY + paddedLength + TAG;
        if (paddedLength <= length || total > maxDatagramBytes || total > out.length) {
            throw new IllegalArgumentException("padded length " + paddedLength + " for " + length + " bytes");
        }
        DataHeader.put(out, 0, receiverIndex, counter);
        scratch.put(0, out, 0, BODY);
        scratch.put(BODY, payload, offset, length);
        scratch.put(BODY + length, DataHeader.PADDING_MARKER);
        scratch.put(BODY + length + 1, zeros, 0, paddedLength - length - 1);
        nonce.putLong(4, counter);
        Sodium.crypto_aead_chacha20poly1305_ietf_encrypt(body, null, body, paddedLength, header, BODY, null,
                noncePointer, key.pointer);
        scratch.get(BODY, out, BODY, paddedLength + TAG);
        return total;
    }

    /**
     * Authenticates and decrypts the data datagram {@code in[0 .. length)} (at least
     * {@link DataHeader#MIN_DATAGRAM} and at most the limit given at construction), whose full
     * counter the caller reconstructed, and copies its payload to {@code out[outOffset ..]}. Does
     * not judge replays: the caller does, afterwards.
     *
     * @return the payload's length, {@link #UNAUTHENTICATED} or {@link #BAD_PADDING}
     */
    public int open(PacketKey key, long counter, byte[] in, int length, byte[] out, int outOffset, int outCapacity) {
        scratch.put(0, in, 0, length);
        nonce.putLong(4, counter);
        int ciphertextLength = length - BODY;
        if (Sodium.crypto_aead_chacha20poly1305_ietf_decrypt(body, null, null, body, ciphertextLength, header, BODY,
                noncePointer, key.pointer) != 0) {
            return UNAUTHENTICATED;
        }
        int marker = BODY + ciphertextLength - TAG - 1;
        while (marker >= BODY && scratch.get(marker) == 0) {
            marker--;
        }
        if (marker < BODY || scratch.get(marker) != DataHeader.PADDING_MARKER) {
            return BAD_PADDING;
        }
        int payloadLength = marker - BODY;
        if (payloadLength > outCapacity) {
            return BAD_PADDING;
        }
        scratch.get(BODY, out, outOffset, payloadLength);
        return payloadLength;
    }
}
