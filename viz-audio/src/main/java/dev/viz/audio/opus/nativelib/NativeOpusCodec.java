package dev.viz.audio.opus.nativelib;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;

/**
 * Opus through the system's native libopus (JNA direct mapping): the same {@link Codec} contract and
 * the same defaults as the Concentus codec (32 kbit/s, VOIP application, complexity 10, constant
 * bitrate, DTX on), and the same bitstream, so either end of a call may use either codec.
 *
 * <p>It is about 1.5 times as fast as Concentus at encoding and 1.8 times at decoding, needs no JIT
 * warm-up, and allocates nothing on the Java heap per frame: every buffer the library reads or writes
 * is a {@link Memory} block allocated in {@link #open}, and PCM and packets are copied in and out of
 * those blocks with JNI region copies.
 *
 * <p><b>DTX in CBR.</b> libopus (1.3.1 measured) honours DTX in CBR for frames of 10 and 20 ms: a silent
 * frame is a 1-byte packet. A 40 or 60 ms packet it builds from 20 ms frames and pads to full length in
 * CBR even when every frame inside is silent, which cancels DTX. For those durations, with CBR and DTX
 * (the defaults), this codec encodes 20 ms frames itself, holding the first frame's mode and bandwidth
 * for the rest, and joins them with libopus's repacketizer without padding, exactly as the Concentus
 * codec does: a 40 ms packet is 1 byte in silence, 81 bytes with one silent half and 159 bytes of
 * speech at 32 kbit/s (a 60 ms packet 2 bytes in silence, 239 of speech). The repacketizer drops
 * the padding libopus puts in a CBR frame its encoder left short (a steady tone), so the joined
 * packet is padded back to the length its active frames give ({@code cbrLength}). Packets of one
 * duration and activity keep one length, so lengths reveal voice activity per 20 ms and nothing
 * about what is said.
 *
 * <p>Check {@link NativeOpus#isAvailable()} before constructing one; the constructor throws with an
 * install hint when libopus is missing.
 *
 * <p>Threads: {@link #open} first, then the encode methods ({@link #encode}, {@link #expectLoss})
 * from one thread and the decode methods ({@link #decode}, {@link #conceal}, {@link #recover}) from
 * another; {@link #warmUp} and {@link #close} only when neither is running. The encoder and decoder
 * are separate native objects, so the two threads never share state.
 */
public final class NativeOpusCodec implements Codec {
    /** Viz's default bitrate. */
    public static final int DEFAULT_BITRATE_BPS = 32_000;
    /** The highest Opus complexity, Viz's default. */
    public static final int DEFAULT_COMPLEXITY = 10;

    /** Loss (percent) reported by the receiver above which in-band FEC is switched on. */
    private static final int FEC_LOSS_THRESHOLD_PERCENT = 1;
    /** Room for the largest packet libopus writes for one frame. */
    private static final int PACKET_CAPACITY = Codec.MAX_ENCODED_BYTES;
    /** The Opus frame that longer CBR+DTX frames are built from. */
    private static final int SUB_FRAME_MS = 20;
    /** Most a joined 2- or 3-frame packet adds to the sum of its frames, TOC bytes excluded. */
    private static final int REPACKETIZE_OVERHEAD_BYTES = 3;

    private final int bitrateBps;
    private final int complexity;
    private final boolean dtx;

    private AudioFormat format;
    private int frameSamplesPerChannel;
    private int frameSamples;
    private long encoder;
    private long decoder;
    private Memory encodePcm;
    private Memory encodePacket;
    private Memory decodePacket;
    private Memory decodePcm;
    private Memory scratchInt;
    /** 1, or 2 or 3 when 40/60 ms CBR+DTX frames are encoded as 20 ms frames and joined. */
    private int subFrames;
    /** The sub-frames' packets, one {@link #PACKET_CAPACITY} slot each; null when not joining. */
    private Memory subPackets;
    /** libopus's OpusRepacketizer state; null when not joining. */
    private Memory repacketizer;
    /** The 20 ms packets' lengths in the frame being joined. */
    private int[] subLengths;
    /** The bitrate the encoder runs at now: {@link #bitrateBps()} until {@link #targetBitrate} moves it. */
    private int encoderBitrate;
    private int lossPercent = -1;

    /** A codec at Viz's defaults and {@code bitrateBps}. */
    public NativeOpusCodec(int bitrateBps) {
        this(bitrateBps, DEFAULT_COMPLEXITY, true);
    }

    /**
     * @param bitrateBps 6000 to 510000
     * @param complexity 0 (fastest) to 10 (best)
     * @param dtx whether silence is sent as sparse comfort-noise packets (discontinuous transmission)
     * @throws IllegalStateException with an install hint when libopus is missing
     */
    public NativeOpusCodec(int bitrateBps, int complexity, boolean dtx) {
        if (bitrateBps < 6_000 || bitrateBps > 510_000) {
            throw new IllegalArgumentException("bitrate " + bitrateBps + " bit/s: use 6000 to 510000");
        }
        if (complexity < 0 || complexity > 10) {
            throw new IllegalArgumentException("complexity " + complexity + ": use 0 to 10");
        }
        NativeOpus.ensureAvailability();
        this.bitrateBps = bitrateBps;
        this.complexity = complexity;
        this.dtx = dtx;
    }

    @Override
    public String name() {
        return "opus/native";
    }

    /** The encoder's bitrate in bit/s. */
    public int bitrateBps() {
        return bitrateBps;
    }

    @Override
    public void open(AudioFormat format) {
        if (encoder != 0) {
            throw new IllegalStateException("already open");
        }
        this.format = format;
        this.frameSamplesPerChannel = format.frameSamplesPerChannel();
        this.frameSamples = format.frameSamples();
        this.scratchInt = new Memory(Integer.BYTES);
        this.encodePcm = new Memory((long) frameSamples * Short.BYTES);
        this.decodePcm = new Memory((long) frameSamples * Short.BYTES);
        this.encodePacket = new Memory(PACKET_CAPACITY);
        this.decodePacket = new Memory(PACKET_CAPACITY);
        // This codec always runs CBR; with DTX, longer frames are built from 20 ms ones (class comment).
        this.subFrames = dtx && format.frameMs() > SUB_FRAME_MS ? format.frameMs() / SUB_FRAME_MS : 1;
        this.subPackets = subFrames > 1 ? new Memory((long) subFrames * PACKET_CAPACITY) : null;
        this.repacketizer = subFrames > 1 ? new Memory(LibOpus.opus_repacketizer_get_size()) : null;
        this.subLengths = new int[subFrames];
        long error = Pointer.nativeValue(scratchInt);

        scratchInt.setInt(0, LibOpus.OPUS_BAD_ARG);
        encoder = LibOpus.opus_encoder_create(format.sampleRateHz(), format.channels(),
                LibOpus.OPUS_APPLICATION_VOIP, error);
        check("opus_encoder_create", encoder == 0 ? LibOpus.OPUS_BAD_ARG : scratchInt.getInt(0));
        scratchInt.setInt(0, LibOpus.OPUS_BAD_ARG);
        decoder = LibOpus.opus_decoder_create(format.sampleRateHz(), format.channels(), error);
        if (decoder == 0 || scratchInt.getInt(0) != LibOpus.OPUS_OK) {
            int status = scratchInt.getInt(0);
            close();
            check("opus_decoder_create", status == LibOpus.OPUS_OK ? LibOpus.OPUS_BAD_ARG : status);
        }
        configureEncoder();
    }

    private void configureEncoder() {
        encoderCtl(LibOpus.OPUS_SET_BITRATE_REQUEST, bitrateBps);
        encoderBitrate = bitrateBps;
        encoderCtl(LibOpus.OPUS_SET_COMPLEXITY_REQUEST, complexity);
        encoderCtl(LibOpus.OPUS_SET_VBR_REQUEST, 0);
        encoderCtl(LibOpus.OPUS_SET_DTX_REQUEST, dtx ? 1 : 0);
        encoderCtl(LibOpus.OPUS_SET_INBAND_FEC_REQUEST, 0);
        encoderCtl(LibOpus.OPUS_SET_PACKET_LOSS_PERC_REQUEST, 0);
        lossPercent = 0;
    }

    private void encoderCtl(int request, int value) {
        check("opus_encoder_ctl(" + request + ")", LibOpus.opus_encoder_ctl(encoder, request, value));
    }

    private void check(String call, int status) {
        if (status != LibOpus.OPUS_OK) {
            close();
            throw new IllegalStateException(call + " failed with status " + status + " for " + format);
        }
    }

    /** The encoder's lookahead in samples per channel (312 at 48 kHz for VOIP), for latency figures. */
    public int lookaheadSamples() {
        long address = Pointer.nativeValue(scratchInt);
        scratchInt.setInt(0, 0);
        LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_GET_LOOKAHEAD_REQUEST, address);
        return scratchInt.getInt(0);
    }

    /** The bitrate the encoder reports it is configured for, read back from libopus. */
    public int encoderBitrateBps() {
        long address = Pointer.nativeValue(scratchInt);
        scratchInt.setInt(0, 0);
        LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_GET_BITRATE_REQUEST, address);
        return scratchInt.getInt(0);
    }

    /**
     * Capture thread. Encodes one frame into at most {@code maxBytes} (and {@link Codec#MAX_ENCODED_BYTES}).
     *
     * @return the packet length (1 or 2 bytes for a silent frame with DTX), {@link #ERROR_BUFFER_TOO_SMALL},
     *     or {@link #ERROR_CORRUPT} when the codec is closed, the input too short, or libopus fails
     */
    @Override
    public int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
        if (encoder == 0 || pcmOffset < 0 || pcm.length - pcmOffset < frameSamples) {
            return ERROR_CORRUPT;
        }
        if (outOffset < 0 || outOffset > out.length) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        int capacity = Math.min(Math.min(maxBytes, out.length - outOffset), PACKET_CAPACITY);
        if (capacity < 1) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        encodePcm.write(0, pcm, pcmOffset, frameSamples);
        int length = subFrames == 1
                ? LibOpus.opus_encode(encoder, Pointer.nativeValue(encodePcm), frameSamplesPerChannel,
                        Pointer.nativeValue(encodePacket), capacity)
                : encodeJoined(capacity);
        if (length < 0) {
            return length == LibOpus.OPUS_BUFFER_TOO_SMALL ? ERROR_BUFFER_TOO_SMALL : ERROR_CORRUPT;
        }
        encodePacket.read(0, out, outOffset, length);
        return length;
    }

    /**
     * 40/60 ms in CBR with DTX: the frame in {@link #encodePcm} as 20 ms frames, joined without padding
     * into {@link #encodePacket}, so silent ones stay empty (libopus would pad the whole packet).
     *
     * @return the packet length or a negative libopus status
     */
    private int encodeJoined(int capacity) {
        int subBudget = Math.min(PACKET_CAPACITY, (capacity - REPACKETIZE_OVERHEAD_BYTES) / subFrames);
        if (subBudget < 1) {
            return LibOpus.OPUS_BUFFER_TOO_SMALL;
        }
        int subSamplesPerChannel = frameSamplesPerChannel / subFrames;
        long subPcmBytes = (long) subSamplesPerChannel * format.channels() * Short.BYTES;
        long pcm = Pointer.nativeValue(encodePcm);
        long packets = Pointer.nativeValue(subPackets);
        long rp = Pointer.nativeValue(repacketizer);
        LibOpus.opus_repacketizer_init(rp);
        int status = LibOpus.OPUS_OK;
        int active = 0;
        for (int i = 0; i < subFrames && status == LibOpus.OPUS_OK; i++) {
            long at = packets + (long) i * PACKET_CAPACITY;
            int length = LibOpus.opus_encode(encoder, pcm + i * subPcmBytes, subSamplesPerChannel, at, subBudget);
            if (length < 1) {
                status = length < 0 ? length : LibOpus.OPUS_INTERNAL_ERROR;
            } else {
                subLengths[i] = length;
                if (length > 1) {
                    active++;
                }
                if (i == 0) {
                    // All frames of one packet share one TOC: hold mode and bandwidth, as libopus does.
                    LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_SET_FORCE_MODE_REQUEST,
                            modeOf(subPackets.getByte(0)));
                    LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_SET_BANDWIDTH_REQUEST,
                            LibOpus.opus_packet_get_bandwidth(at));
                }
                status = LibOpus.opus_repacketizer_cat(rp, at, length);
            }
        }
        LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_SET_FORCE_MODE_REQUEST, LibOpus.OPUS_AUTO);
        LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_SET_BANDWIDTH_REQUEST, LibOpus.OPUS_AUTO);
        if (status != LibOpus.OPUS_OK) {
            return status;
        }
        int length = LibOpus.opus_repacketizer_out(rp, Pointer.nativeValue(encodePacket), capacity);
        if (length <= 0 || active == 0) {
            return length;
        }
        int target = cbrLength(Math.min(subBudget, encoderBitrate * SUB_FRAME_MS / 8_000) - 1);
        if (length < target && target <= capacity
                && LibOpus.opus_packet_pad(Pointer.nativeValue(encodePacket), length, target) == LibOpus.OPUS_OK) {
            return target;
        }
        return length;
    }

    /**
     * The length the joined packet has when each active 20 ms frame holds {@code payload} bytes
     * after its TOC byte, as CBR speech frames do (RFC 6716, 3.2): code 1 for two equal frames,
     * code 2 for two that differ (one length byte, or two from 252), code 3 for three (a count
     * byte, and a length byte or two per frame but the last when they differ). libopus pads a frame
     * its encoder left short (a steady tone can be) and the repacketizer drops that padding, so
     * without this the lengths would vary with the sound: CBR's promise (class comment) kept.
     */
    private int cbrLength(int payload) {
        int total = 0;
        int lengthBytes = 0;
        boolean equal = true;
        for (int i = 0; i < subFrames; i++) {
            int size = subLengths[i] > 1 ? payload : 0;
            total += size;
            if (i < subFrames - 1) {
                lengthBytes += size < 252 ? 1 : 2;
            }
            equal &= (subLengths[i] > 1) == (subLengths[0] > 1);
        }
        if (subFrames == 2) {
            return 1 + (equal ? 0 : lengthBytes) + total;
        }
        return 2 + (equal ? 0 : lengthBytes) + total;
    }

    /** The coding mode a TOC byte names (RFC 6716, 3.1): configurations 0-11 SILK, 12-15 hybrid, 16-31 CELT. */
    private static int modeOf(byte toc) {
        int config = (toc & 0xFF) >>> 3;
        return config < 12 ? LibOpus.MODE_SILK_ONLY : config < 16 ? LibOpus.MODE_HYBRID : LibOpus.MODE_CELT_ONLY;
    }

    @Override
    public int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset) {
        if (decoder == 0 || length < 0 || length > PACKET_CAPACITY || inOffset < 0 || inOffset + length > in.length) {
            return ERROR_CORRUPT;
        }
        if (pcm.length - pcmOffset < frameSamples) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        if (length == 0) {
            return conceal(pcm, pcmOffset);
        }
        decodePacket.write(0, in, inOffset, length);
        long packet = Pointer.nativeValue(decodePacket);
        if (LibOpus.opus_packet_get_nb_samples(packet, length, format.sampleRateHz()) != frameSamplesPerChannel) {
            // Malformed, or a valid packet of another duration: either would leave part of the frame stale.
            return ERROR_CORRUPT;
        }
        int samples = LibOpus.opus_decode(decoder, packet, length,
                Pointer.nativeValue(decodePcm), frameSamplesPerChannel, 0);
        return deliver(samples, pcm, pcmOffset);
    }

    @Override
    public int conceal(short[] pcm, int pcmOffset) {
        if (decoder == 0) {
            return ERROR_CORRUPT;
        }
        if (pcm.length - pcmOffset < frameSamples) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        int samples = LibOpus.opus_decode(decoder, 0, 0, Pointer.nativeValue(decodePcm), frameSamplesPerChannel, 0);
        return deliver(samples, pcm, pcmOffset);
    }

    @Override
    public int recover(byte[] next, int nextOffset, int nextLength, short[] pcm, int pcmOffset) {
        if (decoder == 0) {
            return ERROR_CORRUPT;
        }
        if (nextLength <= 0 || nextLength > PACKET_CAPACITY || nextOffset < 0 || nextOffset + nextLength > next.length) {
            return conceal(pcm, pcmOffset);
        }
        if (pcm.length - pcmOffset < frameSamples) {
            return ERROR_BUFFER_TOO_SMALL;
        }
        decodePacket.write(0, next, nextOffset, nextLength);
        if (LibOpus.opus_packet_get_nb_samples(Pointer.nativeValue(decodePacket), nextLength, format.sampleRateHz())
                != frameSamplesPerChannel) {
            return conceal(pcm, pcmOffset);
        }
        // With decode_fec = 1 libopus rebuilds the previous frame from the LBRR data in this packet, or
        // conceals it when the packet carries none; either way the decoder state stays continuous.
        int samples = LibOpus.opus_decode(decoder, Pointer.nativeValue(decodePacket), nextLength,
                Pointer.nativeValue(decodePcm), frameSamplesPerChannel, 1);
        if (samples < 0) {
            return conceal(pcm, pcmOffset);
        }
        return deliver(samples, pcm, pcmOffset);
    }

    private int deliver(int samples, short[] pcm, int pcmOffset) {
        if (samples < 0) {
            return samples == LibOpus.OPUS_BUFFER_TOO_SMALL ? ERROR_BUFFER_TOO_SMALL : ERROR_CORRUPT;
        }
        decodePcm.read(0, pcm, pcmOffset, samples * format.channels());
        return samples;
    }

    /**
     * Capture thread (the encoding thread), after {@link #open}: runs the encoder at {@code bitrateBps}
     * (clamped to 6 to 510 kbit/s) from the next frame on, as the session asks when redundant copies or a
     * small datagram limit need room. The configured bitrate ({@link #bitrateBps()}) is unchanged;
     * {@link #encoderBitrateBps()} reports the one in force.
     */
    @Override
    public boolean targetBitrate(int bitrateBps) {
        if (encoder == 0) {
            return false;
        }
        int clamped = Math.max(6_000, Math.min(510_000, bitrateBps));
        if (LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_SET_BITRATE_REQUEST, clamped) != LibOpus.OPUS_OK) {
            return false;
        }
        encoderBitrate = clamped;
        return true;
    }

    @Override
    public void expectLoss(int lossPercent) {
        int clamped = Math.max(0, Math.min(100, lossPercent));
        if (encoder == 0 || clamped == this.lossPercent) {
            return;
        }
        this.lossPercent = clamped;
        LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_SET_PACKET_LOSS_PERC_REQUEST, clamped);
        LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_SET_INBAND_FEC_REQUEST,
                clamped >= FEC_LOSS_THRESHOLD_PERCENT ? 1 : 0);
    }

    /**
     * Native code needs no JIT warm-up; this runs a few frames through both directions anyway (to fault
     * in the library's pages and JNA's stubs) and then resets both states to what {@link #open} left.
     */
    @Override
    public void warmUp() {
        short[] pcm = new short[frameSamples];
        byte[] packet = new byte[PACKET_CAPACITY];
        for (int i = 0; i < 10; i++) {
            for (int s = 0; s < frameSamples; s++) {
                pcm[s] = (short) (4000 * Math.sin((i * frameSamples + s) * 0.07));
            }
            int length = encode(pcm, 0, packet, 0, packet.length);
            if (length > 0) {
                decode(packet, 0, length, pcm, 0);
            }
        }
        LibOpus.opus_encoder_ctl(encoder, LibOpus.OPUS_RESET_STATE, 0);
        LibOpus.opus_decoder_ctl(decoder, LibOpus.OPUS_RESET_STATE, 0);
    }

    /** Frees the native encoder and decoder. Idempotent; only when no thread is encoding or decoding. */
    @Override
    public void close() {
        if (encoder != 0) {
            LibOpus.opus_encoder_destroy(encoder);
            encoder = 0;
        }
        if (decoder != 0) {
            LibOpus.opus_decoder_destroy(decoder);
            decoder = 0;
        }
    }

    @Override
    public String toString() {
        return name() + " (" + NativeOpus.describe() + ", " + bitrateBps + " bit/s, complexity " + complexity
                + (dtx ? ", DTX" : "") + ")";
    }
}
