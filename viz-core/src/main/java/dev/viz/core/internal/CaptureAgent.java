package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.Stat;
import java.io.IOException;
import org.jctools.queues.SpscArrayQueue;

/**
 * The capture thread: reads a frame from the input device, encodes it into a pooled
 * {@link EncodedFrame} and hands it to the network thread. The device paces the loop.
 */
final class CaptureAgent implements Runnable {
    private final SessionEngine engine;
    private final AudioDevice input;
    private final Codec codec;
    private final AudioFormat format;
    private final SpscArrayQueue<EncodedFrame> toNetwork;
    private final SpscArrayQueue<EncodedFrame> freeFrames;
    private final Counters counters;
    private final short[] pcm;
    private EncodedFrame spare;
    private long sequence;

    CaptureAgent(SessionEngine engine, AudioDevice input, Codec codec, AudioFormat format,
            SpscArrayQueue<EncodedFrame> toNetwork, SpscArrayQueue<EncodedFrame> freeFrames, Counters counters) {
        this.engine = engine;
        this.input = input;
        this.codec = codec;
        this.format = format;
        this.toNetwork = toNetwork;
        this.freeFrames = freeFrames;
        this.counters = counters;
        this.pcm = new short[format.frameSamples()];
    }

    @Override
    public void run() {
        try {
            codec.warmUp();
        } catch (RuntimeException e) {
            engine.error("codec warm-up failed", e);
        }
        engine.markWarm();
        if (!engine.awaitConnectedOrEnd()) {
            return;
        }
        if (!DeviceOpener.open(engine, input, AudioDevice.Direction.INPUT, format, counters)) {
            return;
        }
        try {
            while (engine.isRunning()) {
                int read;
                try {
                    read = input.read(pcm, 0, pcm.length);
                } catch (IOException e) {
                    counters.increment(Stat.DEVICE_ERRORS);
                    engine.error("input " + input.name() + " failed: " + e.getMessage() + "; reopening", e);
                    input.close();
                    if (!DeviceOpener.open(engine, input, AudioDevice.Direction.INPUT, format, counters)) {
                        return;
                    }
                    continue;
                }
                if (read == AudioDevice.END_OF_STREAM) {
                    sendEndOfStream();
                    return;
                }
                counters.increment(Stat.FRAMES_CAPTURED);
                EncodedFrame frame = takeFrame();
                if (frame == null) {
                    counters.increment(Stat.FRAMES_NOT_SENT);
                    continue;
                }
                int length = codec.encode(pcm, 0, frame.data, 0, frame.data.length);
                if (length < 0) {
                    counters.increment(Stat.ENCODE_ERRORS);
                    continue;
                }
                counters.increment(Stat.FRAMES_ENCODED);
                frame.sequence = sequence++;
                frame.length = length;
                frame.flags = 0;
                spare = null;
                if (!toNetwork.offer(frame)) {
                    spare = frame;
                    counters.increment(Stat.FRAMES_NOT_SENT);
                }
            }
        } finally {
            input.close();
        }
    }

    private EncodedFrame takeFrame() {
        if (spare == null) {
            spare = freeFrames.poll();
        }
        return spare;
    }

    private void sendEndOfStream() {
        while (engine.isRunning()) {
            EncodedFrame frame = takeFrame();
            if (frame != null) {
                frame.sequence = sequence;
                frame.length = 0;
                frame.flags = EncodedFrame.FLAG_END_OF_STREAM;
                if (toNetwork.offer(frame)) {
                    spare = null;
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }
}
