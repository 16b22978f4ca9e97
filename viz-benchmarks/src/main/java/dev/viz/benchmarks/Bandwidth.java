package dev.viz.benchmarks;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import java.util.Locale;

/**
 * Bytes per second on the wire, computed from real encodes of the test speech through the real
 * batcher, compressor and AEAD, against the Opus payload alone and the original's framing:
 *
 * <pre>
 * java -cp benchmarks.jar dev.viz.benchmarks.Bandwidth [codec] [compressor] [secureHeaderBytes]
 * </pre>
 *
 * <p>Counted per datagram: the secure layer's header ({@code secureHeaderBytes}, authenticated as
 * associated data), the audio batch (its 8-byte header, frame lengths, frames, after the compressor),
 * and the 16-byte Poly1305 tag: that is the UDP payload. "With headers" adds 28 bytes (IPv4 20 + UDP 8)
 * per datagram; IPv6 would add 48. There is no padding.
 */
public final class Bandwidth {
    private static final int IPV4_UDP_HEADER_BYTES = 28;

    private Bandwidth() {
    }

    public static void main(String[] args) {
        String codecName = args.length > 0 ? args[0] : "native";
        String compressorName = args.length > 1 ? args[1] : "none";
        int secureHeaderBytes = args.length > 2 ? Integer.parseInt(args[2]) : SendPath.HEADER_BYTES;
        System.out.printf(Locale.ROOT, "codec %s, compressor %s, secure header %d bytes, tag %d bytes, 8 frames of 40 ms per datagram%n",
                codecName, compressorName, secureHeaderBytes, Aead.TAG_BYTES);
        System.out.println("clip                | s    | opus B/s | UDP payload B/s | +IPv4/UDP B/s | payload/opus | wire/opus | original payload B/s | original/opus | datagrams/s");
        report("continuous speech", Speech.continuous(), codecName, compressorName, secureHeaderBytes);
        report("speech with gaps", Speech.withGaps(), codecName, compressorName, secureHeaderBytes);
    }

    private static void report(String label, Speech speech, String codecName, String compressorName,
            int secureHeaderBytes) {
        CountingCodec codec = new CountingCodec(Codecs.codec(codecName));
        SendPath send = new SendPath(codec, Codecs.compressor(compressorName), speech, 8, PipelineBenchmark.MAX_PAYLOAD_BYTES);
        OriginalFraming original = new OriginalFraming();
        int frames = speech.frames() / 8 * 8;
        long payloadBytes = 0;
        long datagrams = 0;
        long originalBytes = 0;
        for (int f = 0; f < frames; f++) {
            long before = codec.bytes;
            int cipher = send.sendFrame();
            int frameBytes = (int) (codec.bytes - before);
            original.addFrame(codec.lastPacket, frameBytes);
            if (cipher > 0) {
                payloadBytes += secureHeaderBytes + cipher;
                datagrams++;
                originalBytes += original.flush();
            }
        }
        AudioFormat format = Speech.FORMAT;
        double seconds = frames * format.frameMs() / 1000.0;
        double opusBps = codec.bytes / seconds;
        double payloadBps = payloadBytes / seconds;
        double wireBps = (payloadBytes + datagrams * IPV4_UDP_HEADER_BYTES) / seconds;
        double originalBps = originalBytes / seconds;
        System.out.printf(Locale.ROOT, "%-19s | %4.1f | %8.0f | %15.0f | %13.0f | %12.4f | %9.4f | %20.0f | %13.4f | %.3f%n",
                label, seconds, opusBps, payloadBps, wireBps, payloadBps / opusBps, wireBps / opusBps, originalBps,
                originalBps / opusBps, datagrams / seconds);
    }

    /** Counts the encoded bytes and keeps a copy of the last packet. */
    private static final class CountingCodec implements Codec {
        private final Codec codec;
        private final byte[] lastPacket = new byte[MAX_ENCODED_BYTES];
        private long bytes;

        CountingCodec(Codec codec) {
            this.codec = codec;
        }

        @Override
        public String name() {
            return codec.name();
        }

        @Override
        public void open(AudioFormat format) {
            codec.open(format);
        }

        @Override
        public int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
            int length = codec.encode(pcm, pcmOffset, out, outOffset, maxBytes);
            if (length > 0) {
                bytes += length;
                System.arraycopy(out, outOffset, lastPacket, 0, length);
            }
            return length;
        }

        @Override
        public int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset) {
            return codec.decode(in, inOffset, length, pcm, pcmOffset);
        }

        @Override
        public int conceal(short[] pcm, int pcmOffset) {
            return codec.conceal(pcm, pcmOffset);
        }
    }
}
