package dev.viz.benchmarks;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;

/**
 * Concentus called directly, with Viz's settings (32 kbit/s, VOIP, complexity 10, CBR, DTX): the
 * baseline "bare codec" cost that Viz's own overhead is compared with.
 */
public final class BareConcentus {
    private final OpusEncoder encoder;
    private final OpusDecoder decoder;
    private final int frameSamplesPerChannel;

    public BareConcentus(int bitrateBps, int frameSamplesPerChannel) {
        try {
            encoder = new OpusEncoder(48_000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
            encoder.setBitrate(bitrateBps);
            encoder.setComplexity(10);
            encoder.setUseVBR(false);
            encoder.setUseDTX(true);
            decoder = new OpusDecoder(48_000, 1);
        } catch (OpusException e) {
            throw new IllegalStateException(e);
        }
        this.frameSamplesPerChannel = frameSamplesPerChannel;
    }

    public int encode(short[] pcm, int offset, byte[] out) {
        try {
            return encoder.encode(pcm, offset, frameSamplesPerChannel, out, 0, out.length);
        } catch (OpusException e) {
            return -1;
        }
    }

    public int decode(byte[] in, int length, short[] pcm) {
        try {
            return decoder.decode(in, 0, length, pcm, 0, frameSamplesPerChannel, false);
        } catch (OpusException e) {
            return -1;
        }
    }
}
