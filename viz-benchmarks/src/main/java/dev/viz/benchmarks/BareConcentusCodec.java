package dev.viz.benchmarks;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;

/** {@link BareConcentus} behind the {@link Codec} interface (a stand-in until viz-audio's OpusCodec is on main). */
final class BareConcentusCodec implements Codec {
    private BareConcentus opus;
    private byte[] packet;
    private int frameSamples;

    @Override
    public String name() {
        return "opus/concentus-bare";
    }

    @Override
    public void open(AudioFormat format) {
        opus = new BareConcentus(32_000, format.frameSamplesPerChannel());
        frameSamples = format.frameSamples();
        packet = new byte[MAX_ENCODED_BYTES];
    }

    @Override
    public int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
        int length = opus.encode(pcm, pcmOffset, packet);
        if (length > 0) {
            System.arraycopy(packet, 0, out, outOffset, length);
        }
        return length;
    }

    @Override
    public int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset) {
        System.arraycopy(in, inOffset, packet, 0, length);
        short[] out = pcm;
        return opus.decode(packet, length, out);
    }

    @Override
    public int conceal(short[] pcm, int pcmOffset) {
        return frameSamples;
    }
}
