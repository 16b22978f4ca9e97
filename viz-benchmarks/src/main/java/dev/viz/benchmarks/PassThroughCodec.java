package dev.viz.benchmarks;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;

/**
 * A codec that costs almost nothing, so a pipeline benchmark shows Viz's own cost: it "encodes" a
 * frame as the first {@value #PACKET_BYTES} bytes of its PCM (the size of a 40 ms Opus frame at
 * 32 kbit/s CBR) and "decodes" by copying those bytes back. Allocates nothing.
 */
public final class PassThroughCodec implements Codec {
    /** 32 kbit/s for 40 ms. */
    public static final int PACKET_BYTES = 160;

    private int frameSamples;

    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public void open(AudioFormat format) {
        frameSamples = format.frameSamples();
    }

    @Override
    public int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
        if (maxBytes < PACKET_BYTES) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        for (int i = 0; i < PACKET_BYTES / 2; i++) {
            short s = pcm[pcmOffset + i];
            out[outOffset + 2 * i] = (byte) s;
            out[outOffset + 2 * i + 1] = (byte) (s >> 8);
        }
        return PACKET_BYTES;
    }

    @Override
    public int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset) {
        for (int i = 0; i < length / 2; i++) {
            pcm[pcmOffset + i] = (short) ((in[inOffset + 2 * i] & 0xFF) | (in[inOffset + 2 * i + 1] << 8));
        }
        return frameSamples;
    }

    @Override
    public int conceal(short[] pcm, int pcmOffset) {
        return frameSamples;
    }
}
