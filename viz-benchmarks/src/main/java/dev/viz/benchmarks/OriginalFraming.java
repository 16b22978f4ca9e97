package dev.viz.benchmarks;

import com.github.luben.zstd.ZstdCompressCtx;
import com.goterl.lazysodium.Sodium;

/**
 * An emulation of the original (Go) Viz's framing, for the bytes it puts on the wire and what it
 * costs: each Opus frame is compressed with Zstandard on its own, sealed in its own NaCl box
 * (X25519, XSalsa20-Poly1305) with a fresh random 24-byte nonce sent in front of it, and prefixed
 * with a 2-byte length; 8 such frames make one datagram.
 *
 * <pre>
 * datagram = 8 × [ length (2) | nonce (24) | box( zstd(opus frame) ) (zstd bytes + 16-byte tag) ]
 * </pre>
 *
 * <p>Only the framing is emulated; the original's other header fields, if any, are not counted, so
 * this is a lower bound for its wire bytes.
 */
public final class OriginalFraming {
    public static final int LENGTH_BYTES = 2;
    public static final int NONCE_BYTES = 24;
    public static final int BOX_TAG_BYTES = 16;

    private final Sodium sodium = Aead.sodium();
    private final ZstdCompressCtx zstd = new ZstdCompressCtx();
    private final byte[] publicKey = new byte[32];
    private final byte[] secretKey = new byte[32];
    private final byte[] peerPublicKey = new byte[32];
    private final byte[] nonce = new byte[NONCE_BYTES];
    private final byte[] compressed = new byte[2048];
    private final byte[] boxed = new byte[2048 + BOX_TAG_BYTES];
    private final byte[] datagram = new byte[16_384];
    private int datagramBytes;

    public OriginalFraming() {
        byte[] peerSecret = new byte[32];
        sodium.crypto_box_keypair(publicKey, secretKey);
        sodium.crypto_box_keypair(peerPublicKey, peerSecret);
        zstd.setLevel(3);
    }

    /** Compresses and seals one frame and appends it to the current datagram; returns the bytes it added. */
    public int addFrame(byte[] frame, int length) {
        int zstdBytes = zstd.compressByteArray(compressed, 0, compressed.length, frame, 0, length);
        sodium.randombytes_buf(nonce, NONCE_BYTES);
        sodium.crypto_box_easy(boxed, compressed, zstdBytes, nonce, peerPublicKey, secretKey);
        int boxBytes = zstdBytes + BOX_TAG_BYTES;
        int at = datagramBytes;
        datagram[at] = (byte) ((NONCE_BYTES + boxBytes) >>> 8);
        datagram[at + 1] = (byte) (NONCE_BYTES + boxBytes);
        System.arraycopy(nonce, 0, datagram, at + LENGTH_BYTES, NONCE_BYTES);
        System.arraycopy(boxed, 0, datagram, at + LENGTH_BYTES + NONCE_BYTES, boxBytes);
        int added = LENGTH_BYTES + NONCE_BYTES + boxBytes;
        datagramBytes += added;
        return added;
    }

    /** Ends the datagram; returns its length. */
    public int flush() {
        int bytes = datagramBytes;
        datagramBytes = 0;
        return bytes;
    }
}
