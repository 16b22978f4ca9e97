package dev.viz.benchmarks;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;

/** {@link BareConcentus} behind the {@link Codec} interface (a stand-in until viz-audio's OpusCodec is on main). */
final class BareConcentusCodec implements Codec {
    private BareConcentus opus;
    private byte[] packet;
    private int frameSamples;
    private int opusFrame;

    @Override
    public String name() {
        return "opus/concentus-bare";
    }

    @Override
    public void open(AudioFormat format) {
        opusFrame = format.frameSamplesPerChannel();
        opus = new BareConcentus(32_000, opusFrame);
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

    /**
     * Encodes and decodes a synthetic voiced signal, unpaced, for {@value #WARM_UP_FRAMES} frames or
     * {@value #WARM_UP_BUDGET_MS} ms, whichever comes first, so the JIT compiles Concentus; then starts
     * afresh with new encoder and decoder states.
     */
    @Override
    public void warmUp() {
        short[] pcm = new short[frameSamples];
        byte[] out = new byte[MAX_ENCODED_BYTES];
        long deadline = System.nanoTime() + WARM_UP_BUDGET_MS * 1_000_000L;
        for (int f = 0; f < WARM_UP_FRAMES && System.nanoTime() < deadline; f++) {
            for (int i = 0; i < frameSamples; i++) {
                int t = f * frameSamples + i;
                double pitch = 120 + 40 * Math.sin(t / 20_000.0);
                pcm[i] = (short) (6000 * Math.sin(t * 2 * Math.PI * pitch / 48_000) * (0.6 + 0.4 * Math.sin(t / 3000.0))
                        + ((t * 1103515245 + 12345) >> 20) % 300);
            }
            int length = encode(pcm, 0, out, 0, out.length);
            if (length > 0) {
                decode(out, 0, length, pcm, 0);
            }
        }
        opus = new BareConcentus(32_000, opusFrame);
    }

    private static final int WARM_UP_FRAMES = 400;
    private static final long WARM_UP_BUDGET_MS = 3_000;

    @Override
    public int conceal(short[] pcm, int pcmOffset) {
        return frameSamples;
    }
}
