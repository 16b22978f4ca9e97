package dev.viz.core.testing;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import java.util.Arrays;

/**
 * A test codec that "encodes" a frame of a known clip as the frame's index in that clip and
 * decodes it back to the clip's exact samples: a lossless stand-in for Opus, so the engine's
 * ordering, timing and recovery can be checked to the frame on a simulated clock, fast. It finds a
 * frame's index by a hash of its samples. Packets are padded to the size a real codec at the set
 * bitrate would produce; a silent frame (every sample within ±{@link #SILENCE}) gives a 1-byte DTX
 * packet when DTX is on. With {@link #expectLoss} above 0 each packet also carries the index of the
 * frame before it, which {@link #recover} plays (perfect FEC). Concealment repeats the last frame at
 * half its level, fading further each time. Allocates nothing after construction.
 */
public final class IndexCodec implements Codec {
    /** A frame whose samples all lie within this of 0 is silence. */
    public static final int SILENCE = 64;
    private static final byte MAGIC = 0x5A;

    private final short[] clip;
    private final boolean dtx;
    private int bitrateBps;
    private int frameSamples;
    private int frameMs;
    private long[] hashes;
    private int[] indexes;
    private boolean fec;
    private int previousIndex = -1;
    private int lastDecoded = -1;
    private int fade;
    private short[] last;

    /** A codec for frames of {@code clip} (played from frame 0, possibly looped). */
    public IndexCodec(short[] clip, int bitrateBps, boolean dtx) {
        this.clip = clip;
        this.bitrateBps = bitrateBps;
        this.dtx = dtx;
    }

    @Override
    public String name() {
        return "index";
    }

    @Override
    public void open(AudioFormat format) {
        frameSamples = format.frameSamples();
        frameMs = format.frameMs();
        int frames = clip.length / frameSamples;
        long[] h = new long[frames];
        for (int i = 0; i < frames; i++) {
            h[i] = hash(clip, i * frameSamples, frameSamples);
        }
        Integer[] order = new Integer[frames];
        for (int i = 0; i < frames; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(h[a], h[b]));
        hashes = new long[frames];
        indexes = new int[frames];
        for (int i = 0; i < frames; i++) {
            hashes[i] = h[order[i]];
            indexes[i] = order[i];
        }
        last = new short[frameSamples];
    }

    private static long hash(short[] pcm, int offset, int length) {
        long h = 0xcbf29ce484222325L;
        for (int i = offset; i < offset + length; i++) {
            h = (h ^ (pcm[i] & 0xFFFF)) * 0x100000001b3L;
        }
        return h;
    }

    /** The clip frame whose samples these are, or -1. */
    private int indexOf(short[] pcm, int offset) {
        int at = Arrays.binarySearch(hashes, hash(pcm, offset, frameSamples));
        return at < 0 ? -1 : indexes[at];
    }

    private static boolean silent(short[] pcm, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (pcm[i] > SILENCE || pcm[i] < -SILENCE) {
                return false;
            }
        }
        return true;
    }

    /** The packet length a codec at the current bitrate produces. */
    public int packetBytes() {
        return Math.max(9, bitrateBps * frameMs / 8000);
    }

    @Override
    public int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
        if (dtx && silent(pcm, pcmOffset, frameSamples)) {
            if (maxBytes < 1) {
                return ERROR_BUFFER_TOO_SMALL;
            }
            out[outOffset] = 0;
            previousIndex = -1;
            return 1;
        }
        int length = packetBytes();
        if (maxBytes < length) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        int index = indexOf(pcm, pcmOffset);
        out[outOffset] = MAGIC;
        putInt(out, outOffset + 1, index);
        putInt(out, outOffset + 5, fec ? previousIndex : -2);
        for (int i = 9; i < length; i++) {
            out[outOffset + i] = (byte) (index * 31 + i);
        }
        previousIndex = index;
        return length;
    }

    @Override
    public int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset) {
        if (length <= 1) {
            return conceal(pcm, pcmOffset);
        }
        if (length < 9 || in[inOffset] != MAGIC) {
            return ERROR_CORRUPT;
        }
        return play(getInt(in, inOffset + 1), pcm, pcmOffset);
    }

    private int play(int index, short[] pcm, int pcmOffset) {
        if (index < 0 || (index + 1) * frameSamples > clip.length) {
            Arrays.fill(pcm, pcmOffset, pcmOffset + frameSamples, (short) 0);
        } else {
            System.arraycopy(clip, index * frameSamples, pcm, pcmOffset, frameSamples);
        }
        System.arraycopy(pcm, pcmOffset, last, 0, frameSamples);
        lastDecoded = index;
        fade = 0;
        return frameSamples;
    }

    @Override
    public int conceal(short[] pcm, int pcmOffset) {
        fade++;
        int shift = Math.min(15, fade);
        for (int i = 0; i < frameSamples; i++) {
            pcm[pcmOffset + i] = (short) (last[i] >> shift);
        }
        return frameSamples;
    }

    @Override
    public int recover(byte[] next, int nextOffset, int nextLength, short[] pcm, int pcmOffset) {
        if (nextLength < 9 || next[nextOffset] != MAGIC) {
            return conceal(pcm, pcmOffset);
        }
        int previous = getInt(next, nextOffset + 5);
        if (previous < 0) {
            return conceal(pcm, pcmOffset);
        }
        return play(previous, pcm, pcmOffset);
    }

    @Override
    public void expectLoss(int lossPercent) {
        fec = lossPercent > 0;
    }

    @Override
    public boolean targetBitrate(int bitrateBps) {
        this.bitrateBps = bitrateBps;
        return true;
    }

    /** The clip frame the last decode played (-1 for none or a silent frame). */
    public int lastDecoded() {
        return lastDecoded;
    }

    /** The clip frame index a packet carries, or -1 when it carries none (DTX, garbage). */
    public static int indexIn(byte[] packet, int offset, int length) {
        return length >= 9 && packet[offset] == MAGIC ? getInt(packet, offset + 1) : -1;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
