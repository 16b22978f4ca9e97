package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.Stat;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.SpscArrayQueue;

/**
 * The playback thread: moves received frames into the {@link Playout}, asks it for the next chunk
 * of audio and writes that to the output device, which paces the loop. All the decisions (what to
 * play, when, how long) are the playout's; this class only drives it with the device as the clock.
 */
final class PlaybackAgent implements Runnable {
    private static final long WAIT_NS = 1_000_000L;

    private final SessionEngine engine;
    private final AudioDevice output;
    private final AudioFormat format;
    private final SpscArrayQueue<EncodedFrame> fromNetwork;
    private final Counters counters;
    private final Playout playout;
    private final short[] pcm;

    PlaybackAgent(SessionEngine engine, AudioDevice output, Codec codec, AudioFormat format,
            SpscArrayQueue<EncodedFrame> fromNetwork, SpscArrayQueue<EncodedFrame> freeFrames, Counters counters,
            long playoutMarginNs, long maxPlayoutDelayNs) {
        this.engine = engine;
        this.output = output;
        this.format = format;
        this.fromNetwork = fromNetwork;
        this.counters = counters;
        this.playout = new Playout(format, codec, counters, playoutMarginNs, maxPlayoutDelayNs, freeFrames::offer);
        this.pcm = new short[playout.maxChunkSamples()];
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
                if (step(System.nanoTime()) == 0) {
                    LockSupport.parkNanos(WAIT_NS);
                }
            }
        } finally {
            output.close();
        }
    }

    /**
     * Takes in what arrived, and plays the next chunk when there is one.
     *
     * @return samples written to the device; 0 when there was nothing to play yet (wait a little)
     */
    int step(long nowNs) {
        drain();
        if (!playout.isStarted()) {
            if (engine.peerSaidBye() && playout.buffered() == 0) {
                engine.end("the peer ended the call", false);
                return 0;
            }
            if (!engine.isWarm()) {
                return 0;
            }
        } else if (engine.peerSaidBye() && playout.buffered() == 0
                && playout.head() > playout.extend(engine.peerLastSequence())) {
            engine.end("the peer ended the call", false);
            return 0;
        }
        int samples = playout.produce(pcm, nowNs);
        if (samples > 0) {
            write(samples);
        }
        return samples;
    }

    private void drain() {
        EncodedFrame frame;
        while ((frame = fromNetwork.poll()) != null) {
            playout.insert(frame);
        }
    }

    Playout playout() {
        return playout;
    }

    private void write(int samples) {
        try {
            output.write(pcm, 0, samples);
        } catch (IOException e) {
            counters.increment(Stat.DEVICE_ERRORS);
            engine.error("output " + output.name() + " failed: " + e.getMessage() + "; reopening", e);
            output.close();
            DeviceOpener.open(engine, output, AudioDevice.Direction.OUTPUT, format, counters);
        }
    }
}
