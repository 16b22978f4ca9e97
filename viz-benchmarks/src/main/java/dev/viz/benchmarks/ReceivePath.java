package dev.viz.benchmarks;

import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.batch.FrameBatcher;
import dev.viz.core.internal.JitterBufferAccess;
import java.util.Arrays;

/**
 * The receive path of one peer, per frame, on one thread: (every batch) decrypt → decompress →
 * unbatch → jitter buffer, then per frame take from the jitter buffer → decode. The datagrams are
 * produced once, in the constructor, by a {@link SendPath} over the same speech and replayed in a
 * ring; sequence numbers are renumbered on arrival so the jitter buffer sees a continuous stream.
 */
public final class ReceivePath implements Batcher.FrameHandler {
    private final Codec codec;
    private final FrameBatcher batcher = new FrameBatcher();
    private final Aead aead = new Aead((byte) 1);
    private final byte[][] datagrams;
    private final int[] lengths;
    private final long[] counters;
    private final byte[][] headers;
    private final byte[] payload;
    private final short[] pcm = new short[Speech.FORMAT.frameSamples()];
    private final JitterBufferAccess jitter = new JitterBufferAccess(0, 64);
    private int next;
    private long sequence;
    private long errors;

    public ReceivePath(Codec codec, Compressor compressor, SendPath sender, int datagramCount, int maxPayloadBytes) {
        this.codec = codec;
        codec.open(Speech.FORMAT);
        batcher.open(Speech.FORMAT, 8, maxPayloadBytes, compressor);
        this.payload = new byte[maxPayloadBytes + Aead.TAG_BYTES];
        this.datagrams = new byte[datagramCount][];
        this.lengths = new int[datagramCount];
        this.counters = new long[datagramCount];
        this.headers = new byte[datagramCount][];
        int made = 0;
        while (made < datagramCount) {
            int cipher = sender.sendFrame();
            if (cipher > 0) {
                datagrams[made] = Arrays.copyOf(sender.datagram(), cipher);
                lengths[made] = cipher;
                counters[made] = sender.lastCounter();
                headers[made] = sender.header().clone();
                made++;
            }
        }
    }

    /** Plays one frame: receives a datagram first when the jitter buffer has run dry. Returns samples or < 0. */
    public int receiveFrame() {
        if (jitter.buffered() == 0) {
            receiveDatagram();
        }
        int length = jitter.take(0);
        if (length < 0) {
            return codec.conceal(pcm, 0);
        }
        return codec.decode(jitter.data(), 0, length, pcm, 0);
    }

    private void receiveDatagram() {
        int i = next;
        next = next + 1 == datagrams.length ? 0 : next + 1;
        int plain = aead.decrypt(counters[i], headers[i], SendPath.HEADER_BYTES, datagrams[i], lengths[i], payload);
        if (plain < 0 || batcher.read(payload, 0, plain, this) < 0) {
            errors++;
        }
    }

    @Override
    public void onFrame(long wireSequence, byte[] buffer, int offset, int length) {
        jitter.insert(sequence++, buffer, offset, length, 0);
    }

    public long errors() {
        return errors;
    }

    public short[] pcm() {
        return pcm;
    }
}
