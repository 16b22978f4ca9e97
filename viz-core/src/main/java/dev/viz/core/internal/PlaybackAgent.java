package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.Stat;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.SpscArrayQueue;

/**
 * The playback thread: moves received frames into the {@link JitterBuffer}, and for every playout
 * slot decodes the frame whose turn it is (or conceals it, or rebuilds it from the next frame's FEC
 * data) and writes it to the output device, which paces the loop.
 */
final class PlaybackAgent implements Runnable {
    private static final long WAIT_NS = 1_000_000L;

    private final SessionEngine engine;
    private final AudioDevice output;
    private final Codec codec;
    private final AudioFormat format;
    private final SpscArrayQueue<EncodedFrame> fromNetwork;
    private final SpscArrayQueue<EncodedFrame> freeFrames;
    private final Counters counters;
    private final JitterBuffer buffer;
    private final short[] pcm;

    PlaybackAgent(SessionEngine engine, AudioDevice output, Codec codec, AudioFormat format,
            SpscArrayQueue<EncodedFrame> fromNetwork, SpscArrayQueue<EncodedFrame> freeFrames, Counters counters,
            long startDelayNs) {
        this.engine = engine;
        this.output = output;
        this.codec = codec;
        this.format = format;
        this.fromNetwork = fromNetwork;
        this.freeFrames = freeFrames;
        this.counters = counters;
        this.buffer = new JitterBuffer(startDelayNs);
        this.pcm = new short[format.frameSamples()];
    }

    @Override
    public void run() {
        if (!engine.awaitConnectedOrEnd()) {
            return;
        }
        if (!DeviceOpener.open(engine, output, AudioDevice.Direction.OUTPUT, format, counters)) {
            return;
        }
        try {
            while (engine.isRunning()) {
                long nowNs = System.nanoTime();
                drain(nowNs);
                if (!buffer.isStarted()) {
                    if (engine.peerSaidBye() && buffer.buffered() == 0) {
                        engine.end("the peer ended the call", false);
                        return;
                    }
                    if (!engine.isWarm() || !buffer.startIfDue(nowNs)) {
                        LockSupport.parkNanos(WAIT_NS);
                        continue;
                    }
                }
                if (engine.peerSaidBye() && buffer.buffered() == 0
                        && buffer.head() > buffer.extend(engine.peerLastSequence())) {
                    engine.end("the peer ended the call", false);
                    return;
                }
                playOneFrame();
                write();
            }
        } finally {
            output.close();
        }
    }

    private void drain(long nowNs) {
        EncodedFrame frame;
        while ((frame = fromNetwork.poll()) != null) {
            int result = buffer.insert(frame, nowNs);
            if (result != JitterBuffer.INSERTED) {
                counters.increment(result == JitterBuffer.LATE ? Stat.FRAMES_LATE
                        : result == JitterBuffer.DUPLICATE ? Stat.FRAMES_DUPLICATE : Stat.FRAMES_OVERFLOW);
                freeFrames.offer(frame);
            }
        }
    }

    private void playOneFrame() {
        EncodedFrame frame = buffer.take();
        if (frame != null) {
            int samples = codec.decode(frame.data, 0, frame.length, pcm, 0);
            freeFrames.offer(frame);
            if (samples < 0) {
                counters.increment(Stat.DECODE_ERRORS);
                codec.conceal(pcm, 0);
                counters.increment(Stat.FRAMES_CONCEALED);
            } else {
                counters.increment(Stat.FRAMES_PLAYED);
            }
            return;
        }
        EncodedFrame next = buffer.peek();
        if (next != null && next.length > 0) {
            codec.recover(next.data, 0, next.length, pcm, 0);
            counters.increment(Stat.FRAMES_RECOVERED);
        } else {
            codec.conceal(pcm, 0);
            counters.increment(Stat.FRAMES_CONCEALED);
        }
    }

    private void write() {
        try {
            output.write(pcm, 0, pcm.length);
        } catch (IOException e) {
            counters.increment(Stat.DEVICE_ERRORS);
            engine.error("output " + output.name() + " failed: " + e.getMessage() + "; reopening", e);
            output.close();
            DeviceOpener.open(engine, output, AudioDevice.Direction.OUTPUT, format, counters);
        }
    }
}
