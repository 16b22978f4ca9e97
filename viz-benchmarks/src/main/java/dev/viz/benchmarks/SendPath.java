package dev.viz.benchmarks;

import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.batch.FrameBatcher;

/**
 * The send path of one peer, per frame, as the capture and network threads run it but on one
 * thread: encode → batch → (every {@code framesPerBatch} frames) compress → encrypt. Sockets are left
 * out. Everything is allocated in the constructor.
 */
public final class SendPath {
    /** Bytes of datagram header authenticated as associated data (kind, receiver index, counter). */
    public static final int HEADER_BYTES = 16;

    private final Codec codec;
    private final Speech speech;
    private final FrameBatcher batcher = new FrameBatcher();
    private final Aead aead = new Aead((byte) 1);
    private final byte[] frame = new byte[Codec.MAX_ENCODED_BYTES];
    private final byte[] payload;
    private final byte[] header = new byte[HEADER_BYTES];
    private final byte[] datagram;
    private long sequence;
    private long counter;
    private int lastDatagramBytes;

    public SendPath(Codec codec, Compressor compressor, Speech speech, int framesPerBatch, int maxPayloadBytes) {
        this.codec = codec;
        this.speech = speech;
        codec.open(Speech.FORMAT);
        batcher.open(Speech.FORMAT, framesPerBatch, maxPayloadBytes, compressor);
        this.payload = new byte[maxPayloadBytes];
        this.datagram = new byte[maxPayloadBytes + Aead.TAG_BYTES];
    }

    /**
     * Sends one frame.
     *
     * @return the ciphertext bytes of the datagram this frame completed, or 0 when it only joined a batch
     */
    public int sendFrame() {
        int length = codec.encode(speech.samples(), speech.nextFrameOffset(), frame, 0, frame.length);
        if (length < 0) {
            return length;
        }
        int sent = 0;
        if (batcher.append(sequence, frame, 0, length) == Batcher.FLUSH_FIRST) {
            sent += flush();
            batcher.append(sequence, frame, 0, length);
        }
        sequence++;
        if (batcher.isComplete()) {
            sent += flush();
        }
        return sent;
    }

    private int flush() {
        int length = batcher.flush(payload, 0);
        long n = counter++;
        for (int i = 0; i < 8; i++) {
            header[8 + i] = (byte) (n >>> (8 * i));
        }
        int cipher = aead.encrypt(n, header, HEADER_BYTES, payload, length, datagram);
        lastDatagramBytes = HEADER_BYTES + cipher;
        return cipher;
    }

    /** The last datagram's ciphertext (valid until the next flush) and its counter. */
    public byte[] datagram() {
        return datagram;
    }

    public int lastDatagramBytes() {
        return lastDatagramBytes;
    }

    public long lastCounter() {
        return counter - 1;
    }

    public byte[] header() {
        return header;
    }
}
