package dev.viz.audio;

import dev.viz.audio.internal.SyntheticSpeech;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusBandwidth;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusMode;
import io.github.jaredmdobson.concentus.OpusPacketInfo;
import io.github.jaredmdobson.concentus.OpusRepacketizer;

/**
 * Opus through <a href="https://github.com/lostromb/concentus">Concentus</a>, a pure-Java port of
 * libopus: the default {@link Codec} of Viz. Its packets are standard Opus (RFC 6716) and
 * interoperate with libopus.
 *
 * <pre>{@code
 * Codec codec = OpusCodec.builder().bitrateBps(24_000).build();   // or new OpusCodec() for the defaults
 * }</pre>
 *
 * <p><b>Settings</b> (see {@link Builder}): 32 kbit/s, complexity 10, the VOIP application, DTX on,
 * constant bitrate on, in-band FEC off until the receiver reports loss. Frame durations of 10, 20,
 * 40 and 60 ms come from the {@link AudioFormat} given to {@link #open}.
 *
 * <p><b>Constant bitrate.</b> On by default: with variable bitrate the length of each packet follows
 * the sounds being spoken, and encryption does not hide lengths; RFC 6562 shows that phrases can be
 * recognised from the lengths alone. With CBR every speech packet of one duration has the same
 * length, so an observer learns only when someone talks (which DTX and timing reveal anyway).
 *
 * <p><b>DTX.</b> During silence the encoder sends a 1-byte packet (the table-of-contents byte alone)
 * and, every 400 ms, a comfort-noise packet; decoding a 1-byte packet runs the decoder's
 * concealment, which continues the comfort noise. Frames of 40 and 60 ms are made of 20 ms Opus
 * frames inside libopus; in CBR mode libopus pads such a packet to full length even when every
 * 20 ms frame inside it is silent, which would cancel DTX. This codec therefore encodes those
 * frames as 20 ms frames itself and joins them with Concentus' repacketizer without padding, as
 * libopus does internally: a 40 ms packet is 1 byte (silence), about half length (one active 20 ms
 * frame) or full length (speech), and a 60 ms packet 2 bytes in silence. Lengths then reveal voice
 * activity per 20 ms and nothing about what is said. A frame louder than {@value #DTX_CEILING_DBFS}
 * dBFS (RMS) is never sent as silence: Concentus alone called half the frames of a steady loud tone
 * silence (libopus 1.3 keeps a tone active with an analysis Concentus's libopus 1.1 lacks).
 *
 * <p><b>FEC.</b> With in-band forward error correction each packet carries a coarse copy of the
 * previous 20 ms; {@link #recover} rebuilds a lost frame from the packet after it (for frames
 * longer than 20 ms only the last 20 ms come from FEC, the rest is concealed, as in libopus). FEC
 * is turned on when {@link #expectLoss} reports loss, if the builder allows adaptive FEC (the
 * default), or always with {@link Builder#inbandFec}.
 *
 * <p><b>PLC.</b> {@link #conceal} runs the decoder's packet loss concealment, which extrapolates
 * the last pitch period and fades out over lost frames.
 *
 * <p><b>Warm-up and allocation.</b> Concentus allocates scratch arrays on every frame (about 295 KB
 * per 40 ms encode, 54 KB per decode) and is slow until the JIT has compiled it. {@link #warmUp}
 * runs a throwaway encoder and decoder over a few seconds of synthetic speech-like sound so a call
 * does not stutter in its first seconds. This class itself allocates nothing per frame.
 *
 * <p><b>Threads.</b> As {@link Codec} says: {@link #open} first, the encode methods from one thread,
 * the decode methods from one thread, {@link #warmUp} from any thread.
 */
public final class OpusCodec implements Codec {
    /** Default bitrate: 32 kbit/s. */
    public static final int DEFAULT_BITRATE_BPS = 32_000;
    /** Level (RMS, dB below full scale) above which a frame is never sent as DTX silence. */
    static final int DTX_CEILING_DBFS = -40;
    /** {@link #DTX_CEILING_DBFS} as a mean square of 16-bit samples: (32768 x 10^(-40/20))^2. */
    private static final long DTX_CEILING_MEAN_SQUARE = Math.round(Math.pow(32_768 * Math.pow(10, DTX_CEILING_DBFS / 20.0), 2));
    /** Default encoder complexity: 10, the best quality (0 is the cheapest). */
    public static final int DEFAULT_COMPLEXITY = 10;
    /** Default length of the warm-up signal: 3 s. */
    public static final int DEFAULT_WARM_UP_MS = 3_000;

    private static final int SUB_FRAME_MS = 20;
    /** Most a repacketized 2- or 3-frame packet adds to the sum of its frames, TOC bytes excluded. */
    private static final int REPACKETIZE_OVERHEAD_BYTES = 3;

    private final Builder settings;
    private AudioFormat format;
    private Coder coder;
    private int lossPercent;

    /** A codec with the default settings. */
    public OpusCodec() {
        this(new Builder());
    }

    private OpusCodec(Builder settings) {
        this.settings = settings;
        this.lossPercent = settings.expectedLossPercent;
    }

    /** A builder with the defaults; every setter returns a new builder, so builders can be shared. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "opus/concentus";
    }

    /** The settings this codec was built with (a builder, so they can be varied for another codec). */
    public Builder settings() {
        return settings;
    }

    /**
     * Creates the encoder and decoder for {@code format} (any Opus rate, mono or stereo, 10 to 60 ms
     * frames). May be called again after {@link #close} to start afresh.
     *
     * @throws IllegalStateException when Concentus refuses the format
     */
    @Override
    public void open(AudioFormat format) {
        this.coder = new Coder(settings, format, lossPercent);
        this.format = format;
    }

    /**
     * Capture thread. Encodes one frame; the result is never longer than {@code maxBytes} (nor than
     * {@link Codec#MAX_ENCODED_BYTES}, nor than {@code out} has room for).
     *
     * @return the packet length (1 or 2 bytes for a DTX frame), {@link #ERROR_BUFFER_TOO_SMALL} when
     *     {@code maxBytes} cannot hold even a minimal packet, {@link #ERROR_CORRUPT} when the encoder
     *     fails (the input array is too short, or Concentus reports an internal error)
     */
    @Override
    public int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
        return openCoder().encode(pcm, pcmOffset, out, outOffset, maxBytes);
    }

    /**
     * Playback thread. Decodes one packet. A packet of 0 bytes is treated as lost and concealed, as
     * libopus does; a 1-byte (DTX) packet continues comfort noise.
     *
     * @return samples per channel of one frame, or {@link #ERROR_CORRUPT} for a packet Opus cannot
     *     parse or one whose duration is not this codec's frame duration (then {@code pcm} may hold
     *     part of a frame: conceal instead of playing it), or {@link #ERROR_BUFFER_TOO_SMALL}
     */
    @Override
    public int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset) {
        return openCoder().decode(in, inOffset, length, pcm, pcmOffset, false);
    }

    /** Playback thread. Opus packet loss concealment for one frame. */
    @Override
    public int conceal(short[] pcm, int pcmOffset) {
        return openCoder().conceal(pcm, pcmOffset);
    }

    /**
     * Playback thread. Rebuilds the frame before {@code next} from the FEC data in {@code next}
     * (concealment where {@code next} carries none). Decode {@code next} normally afterwards.
     */
    @Override
    public int recover(byte[] next, int nextOffset, int nextLength, short[] pcm, int pcmOffset) {
        return openCoder().recover(next, nextOffset, nextLength, pcm, pcmOffset);
    }

    /**
     * Capture thread. Tells the encoder the loss the receiver reports (clamped to 0..100 %): it
     * tunes its FEC and, with adaptive FEC allowed, turns in-band FEC on while the loss is above 0.
     * Before {@link #open} the value is kept for it.
     */
    @Override
    public void expectLoss(int lossPercent) {
        int clamped = Math.max(0, Math.min(100, lossPercent));
        this.lossPercent = clamped;
        Coder c = coder;
        if (c != null) {
            c.expectLoss(clamped);
        }
    }

    /**
     * Capture thread. Changes the encoder's bitrate from the next frame on (clamped to 6000 to
     * 510000 bit/s); the session lowers it while redundant copies share the datagram and restores
     * it after. Before {@link #open} there is no encoder to change.
     *
     * @return whether the encoder took it
     */
    @Override
    public boolean targetBitrate(int bitrateBps) {
        Coder c = coder;
        if (c == null) {
            return false;
        }
        c.encoder.setBitrate(Math.max(6_000, Math.min(510_000, bitrateBps)));
        return true;
    }

    /**
     * Any thread, after {@link #open}: encodes and decodes {@link Builder#warmUpMs} of synthetic
     * speech-like sound (voiced syllables, fricative noise and pauses, so the speech, DTX, FEC and
     * concealment paths all run) with a separate encoder and decoder built with the same settings.
     * The codec's own encoder and decoder are not touched. Allocates freely: not for the hot path.
     */
    @Override
    public void warmUp() {
        AudioFormat f = format;
        if (f == null) {
            throw new IllegalStateException("open the codec before warming it up");
        }
        Coder throwaway = new Coder(settings, f, 0);
        short[] signal = SyntheticSpeech.generate(f.sampleRateHz(), f.channels(), settings.warmUpMs, 0x5EEDL);
        int frameSamples = f.frameSamples();
        int frames = signal.length / frameSamples;
        byte[] packet = new byte[MAX_ENCODED_BYTES];
        short[] pcm = new short[frameSamples];
        for (int i = 0; i < frames; i++) {
            if (i == frames / 2) {
                throwaway.expectLoss(10);
            }
            int length = throwaway.encode(signal, i * frameSamples, packet, 0, packet.length);
            if (length < 0) {
                continue;
            }
            if (i % 10 == 7) {
                throwaway.conceal(pcm, 0);
            } else {
                if (i % 10 == 8) {
                    throwaway.recover(packet, 0, length, pcm, 0);
                }
                throwaway.decode(packet, 0, length, pcm, 0, false);
            }
        }
    }

    /** Drops the encoder and decoder; {@link #open} may create new ones. Idempotent. */
    @Override
    public void close() {
        coder = null;
    }

    @Override
    public String toString() {
        return name() + " " + settings;
    }

    private Coder openCoder() {
        Coder c = coder;
        if (c == null) {
            throw new IllegalStateException("the codec is not open: call open(format) first");
        }
        return c;
    }

    /** One encoder and one decoder with the scratch space they need; the codec and its warm-up each have one. */
    private static final class Coder {
        private final Builder settings;
        private final OpusEncoder encoder;
        private final OpusDecoder decoder;
        private final int channels;
        private final int frameSamplesPerChannel;
        /** 1, or 2 or 3 when 40/60 ms CBR+DTX frames are encoded as 20 ms frames and joined. */
        private final int subFrames;
        private final OpusRepacketizer repacketizer;
        private final byte[] subPackets;
        private boolean fecOn;
        /** Whether the encoder's DTX is on now: the setting, held off while a frame is loud. */
        private boolean dtxOn;

        Coder(Builder settings, AudioFormat format, int lossPercent) {
            this.settings = settings;
            this.channels = format.channels();
            this.frameSamplesPerChannel = format.frameSamplesPerChannel();
            boolean split = settings.constantBitrate && settings.dtx && format.frameMs() > SUB_FRAME_MS;
            this.subFrames = split ? format.frameMs() / SUB_FRAME_MS : 1;
            this.repacketizer = split ? new OpusRepacketizer() : null;
            this.subPackets = split ? new byte[subFrames * MAX_ENCODED_BYTES] : null;
            try {
                encoder = new OpusEncoder(format.sampleRateHz(), format.channels(),
                        OpusApplication.OPUS_APPLICATION_VOIP);
                decoder = new OpusDecoder(format.sampleRateHz(), format.channels());
            } catch (OpusException e) {
                throw new IllegalStateException("Concentus cannot run at " + format + ": " + e.getMessage(), e);
            }
            encoder.setBitrate(settings.bitrateBps);
            encoder.setComplexity(settings.complexity);
            dtxOn = settings.dtx;
            encoder.setUseDTX(dtxOn);
            encoder.setUseVBR(!settings.constantBitrate);
            encoder.setPacketLossPercent(lossPercent);
            fecOn = wantsFec(lossPercent);
            encoder.setUseInbandFEC(fecOn);
        }

        private boolean wantsFec(int lossPercent) {
            return settings.inbandFec || (settings.adaptiveFec && lossPercent > 0);
        }

        void expectLoss(int lossPercent) {
            if (encoder.getPacketLossPercent() != lossPercent) {
                encoder.setPacketLossPercent(lossPercent);
            }
            boolean fec = wantsFec(lossPercent);
            if (fec != fecOn) {
                fecOn = fec;
                encoder.setUseInbandFEC(fec);
            }
        }

        int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
            if (outOffset < 0 || outOffset > out.length) {
                return ERROR_BUFFER_TOO_SMALL;
            }
            int budget = Math.min(Math.min(maxBytes, MAX_ENCODED_BYTES), out.length - outOffset);
            if (pcmOffset < 0 || pcmOffset > pcm.length - frameSamplesPerChannel * channels) {
                return ERROR_CORRUPT;
            }
            try {
                if (subFrames == 1) {
                    if (budget < 1) {
                        return ERROR_BUFFER_TOO_SMALL;
                    }
                    holdDtxOffWhenLoud(pcm, pcmOffset, frameSamplesPerChannel * channels);
                    return encoder.encode(pcm, pcmOffset, frameSamplesPerChannel, out, outOffset, budget);
                }
                return encodeJoined(pcm, pcmOffset, out, outOffset, budget);
            } catch (OpusException | RuntimeException | AssertionError e) {
                return ERROR_CORRUPT;
            }
        }

        /**
         * DTX only where a frame is quiet: Concentus (a port of libopus 1.1) lacks the tonality
         * analysis with which libopus 1.3 keeps a steady tone active, and called half the frames
         * of a 440 Hz tone at -12 dBFS silence, which the far end then played as comfort noise. A
         * frame louder than {@value #DTX_CEILING_DBFS} dBFS (RMS) is not background to leave out.
         */
        private void holdDtxOffWhenLoud(short[] pcm, int offset, int samples) {
            if (!settings.dtx) {
                return;
            }
            long energy = 0;
            for (int i = offset; i < offset + samples; i++) {
                energy += pcm[i] * pcm[i];
            }
            boolean quiet = energy <= DTX_CEILING_MEAN_SQUARE * samples;
            if (quiet != dtxOn) {
                dtxOn = quiet;
                encoder.setUseDTX(quiet);
            }
        }

        /** 40/60 ms in CBR with DTX: 20 ms frames, joined without padding so silent ones stay empty. */
        private int encodeJoined(short[] pcm, int pcmOffset, byte[] out, int outOffset, int budget)
                throws OpusException {
            int subBudget = Math.min(MAX_ENCODED_BYTES, (budget - REPACKETIZE_OVERHEAD_BYTES) / subFrames);
            if (subBudget < 1) {
                return ERROR_BUFFER_TOO_SMALL;
            }
            int subSamples = frameSamplesPerChannel / subFrames;
            repacketizer.Reset();
            try {
                for (int i = 0; i < subFrames; i++) {
                    int at = i * MAX_ENCODED_BYTES;
                    holdDtxOffWhenLoud(pcm, pcmOffset + i * subSamples * channels, subSamples * channels);
                    int length = encoder.encode(pcm, pcmOffset + i * subSamples * channels, subSamples,
                            subPackets, at, subBudget);
                    if (length < 1) {
                        return ERROR_CORRUPT;
                    }
                    if (i == 0) {
                        // All frames of one packet share one TOC: hold mode and bandwidth, as libopus does.
                        encoder.setForceMode(OpusPacketInfo.getEncoderMode(subPackets, 0));
                        encoder.setBandwidth(OpusPacketInfo.getBandwidth(subPackets, 0));
                    }
                    if (repacketizer.addPacket(subPackets, at, length) != 0) {
                        return ERROR_CORRUPT;
                    }
                }
            } finally {
                encoder.setForceMode(OpusMode.MODE_AUTO);
                encoder.setBandwidth(OpusBandwidth.OPUS_BANDWIDTH_AUTO);
            }
            int length = repacketizer.createPacket(out, outOffset, budget);
            return length > 0 ? length : ERROR_BUFFER_TOO_SMALL;
        }

        int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset, boolean fec) {
            if (length <= 0) {
                return conceal(pcm, pcmOffset);
            }
            if (inOffset < 0 || inOffset > in.length - length) {
                return ERROR_CORRUPT;
            }
            if (pcmOffset < 0 || pcmOffset > pcm.length - frameSamplesPerChannel * channels) {
                return ERROR_BUFFER_TOO_SMALL;
            }
            try {
                int samples = decoder.decode(in, inOffset, length, pcm, pcmOffset, frameSamplesPerChannel, fec);
                return samples == frameSamplesPerChannel ? samples : ERROR_CORRUPT;
            } catch (OpusException e) {
                return ERROR_CORRUPT;
            } catch (RuntimeException | AssertionError e) {
                // Failed inside a frame: the decoder's state is suspect, start it afresh.
                decoder.resetState();
                return ERROR_CORRUPT;
            }
        }

        int conceal(short[] pcm, int pcmOffset) {
            if (pcmOffset < 0 || pcmOffset > pcm.length - frameSamplesPerChannel * channels) {
                return ERROR_BUFFER_TOO_SMALL;
            }
            try {
                int samples = decoder.decode(null, 0, 0, pcm, pcmOffset, frameSamplesPerChannel, false);
                return samples == frameSamplesPerChannel ? samples : ERROR_CORRUPT;
            } catch (OpusException | RuntimeException | AssertionError e) {
                decoder.resetState();
                return ERROR_CORRUPT;
            }
        }

        int recover(byte[] next, int nextOffset, int nextLength, short[] pcm, int pcmOffset) {
            if (nextLength <= 1) {
                return conceal(pcm, pcmOffset);
            }
            int samples = decode(next, nextOffset, nextLength, pcm, pcmOffset, true);
            return samples >= 0 ? samples : conceal(pcm, pcmOffset);
        }
    }

    /**
     * Settings for an {@link OpusCodec}. Immutable: every setter returns a new builder, so one can
     * serve as a template for many codecs.
     */
    public static final class Builder {
        private int bitrateBps = DEFAULT_BITRATE_BPS;
        private int complexity = DEFAULT_COMPLEXITY;
        private boolean dtx = true;
        private boolean inbandFec;
        private boolean adaptiveFec = true;
        private int expectedLossPercent;
        private boolean constantBitrate = true;
        private int warmUpMs = DEFAULT_WARM_UP_MS;

        private Builder() {
        }

        private Builder copy() {
            Builder b = new Builder();
            b.bitrateBps = bitrateBps;
            b.complexity = complexity;
            b.dtx = dtx;
            b.inbandFec = inbandFec;
            b.adaptiveFec = adaptiveFec;
            b.expectedLossPercent = expectedLossPercent;
            b.constantBitrate = constantBitrate;
            b.warmUpMs = warmUpMs;
            return b;
        }

        /** Target bitrate, 6000 to 510000 bit/s; default 32000. */
        public Builder bitrateBps(int bitrateBps) {
            if (bitrateBps < 6_000 || bitrateBps > 510_000) {
                throw new IllegalArgumentException("bitrate " + bitrateBps + " bit/s: use 6000 to 510000");
            }
            Builder b = copy();
            b.bitrateBps = bitrateBps;
            return b;
        }

        /** Encoder complexity 0 (cheapest) to 10 (best, the default). */
        public Builder complexity(int complexity) {
            if (complexity < 0 || complexity > 10) {
                throw new IllegalArgumentException("complexity " + complexity + ": use 0 to 10");
            }
            Builder b = copy();
            b.complexity = complexity;
            return b;
        }

        /** Discontinuous transmission: 1-byte packets during silence. Default on. */
        public Builder dtx(boolean dtx) {
            Builder b = copy();
            b.dtx = dtx;
            return b;
        }

        /** In-band FEC from the first frame, whatever the loss. Default off (see {@link #adaptiveFec}). */
        public Builder inbandFec(boolean inbandFec) {
            Builder b = copy();
            b.inbandFec = inbandFec;
            return b;
        }

        /** Turn in-band FEC on while {@link OpusCodec#expectLoss} reports loss above 0. Default on. */
        public Builder adaptiveFec(boolean adaptiveFec) {
            Builder b = copy();
            b.adaptiveFec = adaptiveFec;
            return b;
        }

        /** The loss to expect before any report arrives, 0 to 100 %; default 0. */
        public Builder expectedLossPercent(int expectedLossPercent) {
            if (expectedLossPercent < 0 || expectedLossPercent > 100) {
                throw new IllegalArgumentException("expected loss " + expectedLossPercent + " %: use 0 to 100");
            }
            Builder b = copy();
            b.expectedLossPercent = expectedLossPercent;
            return b;
        }

        /**
         * Constant bitrate, so packet lengths do not reveal what is said (RFC 6562). Default on; turn
         * off only where lengths are not observable or do not matter.
         */
        public Builder constantBitrate(boolean constantBitrate) {
            Builder b = copy();
            b.constantBitrate = constantBitrate;
            return b;
        }

        /** Length of the synthetic signal {@link OpusCodec#warmUp} codes, 0 to 60000 ms; default 3000. */
        public Builder warmUpMs(int warmUpMs) {
            if (warmUpMs < 0 || warmUpMs > 60_000) {
                throw new IllegalArgumentException("warm-up " + warmUpMs + " ms: use 0 to 60000");
            }
            Builder b = copy();
            b.warmUpMs = warmUpMs;
            return b;
        }

        public int bitrateBps() {
            return bitrateBps;
        }

        public int complexity() {
            return complexity;
        }

        public boolean dtx() {
            return dtx;
        }

        public boolean inbandFec() {
            return inbandFec;
        }

        public boolean adaptiveFec() {
            return adaptiveFec;
        }

        public int expectedLossPercent() {
            return expectedLossPercent;
        }

        public boolean constantBitrate() {
            return constantBitrate;
        }

        public int warmUpMs() {
            return warmUpMs;
        }

        /** A new codec with these settings. */
        public OpusCodec build() {
            return new OpusCodec(this);
        }

        @Override
        public String toString() {
            return bitrateBps / 1000 + " kbit/s " + (constantBitrate ? "CBR" : "VBR") + ", complexity " + complexity
                    + ", DTX " + (dtx ? "on" : "off") + ", FEC " + (inbandFec ? "on" : adaptiveFec ? "adaptive" : "off");
        }
    }
}
