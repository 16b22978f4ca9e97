package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.AudioProcessor;
import dev.viz.core.Stat;
import java.io.IOException;
import org.jctools.queues.SpscArrayQueue;

/**
 * The playback thread: waits for the link, opens the output device, then per duty cycle moves
 * received frames into the {@link Playout}, asks it for the next chunk of audio, writes that to the
 * output device, which paces the loop, and shows the {@link AudioProcessor} what was played (its
 * echo reference). All the decisions (what to play, when, how long) are the playout's. It ends the
 * session once the peer said bye and everything before the bye has been played.
 */
final class PlaybackAgent implements Agent {
    private final SessionSignals signals;
    private final Lifecycle lifecycle;
    private final AudioDevice output;
    private final AudioProcessor processor;
    private final AudioFormat format;
    private final SpscArrayQueue<EncodedFrame> fromNetwork;
    private final Counters counters;
    private final Playout playout;
    private final short[] pcm;
    private boolean opened;

    PlaybackAgent(SessionSignals signals, Lifecycle lifecycle, AudioDevice output, AudioProcessor processor,
            AudioFormat format, Playout playout, SpscArrayQueue<EncodedFrame> fromNetwork, Counters counters) {
        this.signals = signals;
        this.lifecycle = lifecycle;
        this.output = output;
        this.processor = processor;
        this.format = format;
        this.fromNetwork = fromNetwork;
        this.counters = counters;
        this.playout = playout;
        this.pcm = new short[playout.maxChunkSamples()];
    }

    @Override
    public String roleName() {
        return "viz-playback";
    }

    @Override
    public int doWork(long nowNs) {
        if (!opened) {
            if (!signals.isLinkUp()) {
                return 0;
            }
            if (!DeviceOpener.open(signals, lifecycle, output, AudioDevice.Direction.OUTPUT, format, counters)) {
                return DONE;
            }
            opened = true;
        }
        return step(nowNs) > 0 ? 1 : 0;
    }

    @Override
    public void onClose(long nowNs) {
        output.close();
    }

    /**
     * Takes in what arrived, and plays the next chunk when there is one.
     *
     * @return samples written to the device; 0 when there was nothing to play yet (wait a little)
     */
    int step(long nowNs) {
        drain();
        if (!playout.isStarted()) {
            if (signals.hasPeerSaidBye() && playout.buffered() == 0) {
                signals.end("the peer ended the call");
                return 0;
            }
            if (!signals.isWarm()) {
                return 0;
            }
        } else if (signals.hasPeerSaidBye() && playout.buffered() == 0
                && playout.head() > playout.extend(signals.peerLastSequence())) {
            signals.end("the peer ended the call");
            return 0;
        }
        int samples = playout.produce(pcm, nowNs);
        if (samples > 0) {
            write(samples, nowNs);
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

    /** Multiplies {@code samples} of {@code pcm} by {@code gain}, saturating at full scale. Allocation-free. */
    static void applyGain(short[] pcm, int samples, float gain) {
        if (gain == 1.0f) {
            return;
        }
        for (int i = 0; i < samples; i++) {
            int scaled = Math.round(pcm[i] * gain);
            pcm[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, scaled));
        }
    }

    private void write(int samples, long nowNs) {
        // Before the device, so the echo reference below is what was really played.
        applyGain(pcm, samples, signals.outputGain());
        try {
            output.write(pcm, 0, samples);
        } catch (IOException e) {
            counters.increment(Stat.DEVICE_ERRORS);
            lifecycle.error("output " + output.name() + " failed: " + e.getMessage() + "; reopening", e);
            output.close();
            DeviceOpener.open(signals, lifecycle, output, AudioDevice.Direction.OUTPUT, format, counters);
            return;
        }
        counters.set(Stat.OUTPUT_XRUNS, output.xruns());
        if (processor != AudioProcessor.NONE) {
            processor.played(pcm, 0, samples, nowNs);
        }
    }
}
