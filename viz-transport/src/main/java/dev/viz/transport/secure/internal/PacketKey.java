package dev.viz.transport.secure.internal;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/**
 * A 32-byte ChaCha20-Poly1305 key of one direction of one session, held in native memory so the
 * data path passes it to libsodium by pointer. Made once per handshake; {@link #destroy()} zeroes it.
 */
public final class PacketKey {
    private final ByteBuffer key = ByteBuffer.allocateDirect(Sodium.AEAD_KEY_BYTES);
    final Pointer pointer = Native.getDirectBufferPointer(key);

    /** Copies {@code bytes} (32) in and zeroes the array given. */
    public PacketKey(byte[] bytes) {
        if (bytes.length != Sodium.AEAD_KEY_BYTES) {
            throw new IllegalArgumentException("a ChaCha20-Poly1305 key has 32 bytes");
        }
        key.put(0, bytes);
        java.util.Arrays.fill(bytes, (byte) 0);
    }

    public void destroy() {
        for (int i = 0; i < Sodium.AEAD_KEY_BYTES; i++) {
            key.put(i, (byte) 0);
        }
    }
}
