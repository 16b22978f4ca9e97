package dev.viz.core.internal;

import dev.viz.core.AudioFormat;
import dev.viz.core.Stat;
import dev.viz.core.testing.IndexCodec;

/**
 * Drives a {@link Playout} the way the playback thread does, but by hand: frames of a known clip
 * arrive at given times, and the "device" asks for audio whenever the last chunk has played. Frames
 * come from a fixed pool and go back to it, so nothing is allocated after construction.
 */
final class PlayoutDriver {
    final AudioFormat format;
    final short[] clip;
    final IndexCodec encoder;
    final IndexCodec decoder;
    final Counters counters = new Counters();
    final Playout playout;
    final short[] out;
    private final EncodedFrame[] pool = new EncodedFrame[512];
    private int free;
    private final short[] pcm;
    private final byte[] packet = new byte[1275];
    private long deviceNs;
    /** When what a buffered device holds has played. */
    private long queueEndNs;
    /** Samples the device has played. */
    long playedSamples;
    int lastChunk;

    PlayoutDriver(int frameMs, short[] clip, long marginNs, long maxDelayNs) {
        this(frameMs, clip, marginNs, maxDelayNs, false);
    }

    /** @param reliableStream what the transport answers to {@code isReliableStream()} */
    PlayoutDriver(int frameMs, short[] clip, long marginNs, long maxDelayNs, boolean reliableStream) {
        this.format = AudioFormat.mono48k(frameMs);
        this.clip = clip;
        this.encoder = new IndexCodec(clip, 32_000, true);
        this.decoder = new IndexCodec(clip, 32_000, true);
        encoder.open(format);
        decoder.open(format);
        for (int i = 0; i < pool.length; i++) {
            pool[i] = new EncodedFrame();
        }
        free = pool.length;
        this.playout = new Playout(format, decoder, counters, marginNs, maxDelayNs, this::recycle,
                frameMs >= 40 ? 8 : 1, () -> reliableStream); // the profiles' frames per datagram
        this.out = new short[playout.maxChunkSamples()];
        this.pcm = new short[format.frameSamples()];
    }

    private void recycle(EncodedFrame frame) {
        pool[free++] = frame;
    }

    int poolFree() {
        return free;
    }

    /** Frame {@code sequence} (clip frame {@code sequence % clipFrames}) arrives at {@code atNs}. */
    int arrive(long sequence, long atNs, int flags) {
        int frames = clip.length / format.frameSamples();
        System.arraycopy(clip, (int) (sequence % frames) * format.frameSamples(), pcm, 0, pcm.length);
        int length = encoder.encode(pcm, 0, packet, 0, packet.length);
        if (length <= CaptureAgent.DTX_MAX_BYTES) {
            length = 0;
        }
        return arriveBytes(sequence, packet, length, atNs, flags);
    }

    /** An empty (DTX) frame arrives. */
    int arriveEmpty(long sequence, long atNs) {
        return arriveBytes(sequence, packet, 0, atNs, EncodedFrame.FLAG_TIMED);
    }

    int arriveBytes(long sequence, byte[] data, int length, long atNs, int flags) {
        return arriveBytes(sequence, data, length, atNs, flags, 0);
    }

    /** A frame whose batch says recovery data for it comes {@code recoverySpanNs} later (copies, FEC). */
    int arriveBytes(long sequence, byte[] data, int length, long atNs, int flags, long recoverySpanNs) {
        EncodedFrame frame = pool[--free];
        frame.set(sequence & 0xFFFF_FFFFL, data, 0, length);
        frame.flags = flags;
        frame.arrivalNs = atNs;
        frame.recoverySpanNs = recoverySpanNs;
        return playout.insert(frame);
    }

    /** Asks for audio at {@code nowNs}; returns the samples produced. */
    int produce(long nowNs) {
        lastChunk = playout.produce(out, nowNs);
        playedSamples += lastChunk;
        return lastChunk;
    }

    /**
     * Runs the device until {@code untilNs}, asking for audio whenever the last chunk has played
     * (every millisecond while there is nothing); the device clock runs {@code ppm} fast.
     */
    void runDeviceUntil(long untilNs, double ppm) {
        while (deviceNs < untilNs) {
            int samples = produce(deviceNs);
            deviceNs += samples == 0 ? 1_000_000L
                    : (long) (samples * 1e9 / format.sampleRateHz() / (1 + ppm * 1e-6));
        }
    }

    /**
     * Runs a device that holds one chunk more than the one it plays, as a sound server's buffer does
     * (PulseAudio with a target length of one frame): it asks for the next chunk as soon as the one
     * before starts playing, so it takes the first two at once.
     */
    void runBufferedDeviceUntil(long untilNs) {
        while (deviceNs < untilNs) {
            int samples = produce(deviceNs);
            if (samples == 0) {
                deviceNs += 1_000_000L;
                continue;
            }
            long startNs = Math.max(queueEndNs, deviceNs);
            queueEndNs = startNs + samples * 1_000_000_000L / format.sampleRateHz();
            deviceNs = startNs;
        }
    }

    long deviceNs() {
        return deviceNs;
    }

    void setDeviceNs(long deviceNs) {
        this.deviceNs = deviceNs;
    }

    long get(Stat stat) {
        return counters.get(stat);
    }

    /** Every slot passed is exactly one of played, rebuilt, concealed, DTX. */
    long slotsAccounted() {
        return get(Stat.FRAMES_PLAYED) + get(Stat.FRAMES_RECOVERED) + get(Stat.FRAMES_CONCEALED) + get(Stat.FRAMES_DTX);
    }
}
