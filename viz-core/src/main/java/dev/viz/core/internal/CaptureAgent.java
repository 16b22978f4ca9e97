package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.AudioProcessor;
import dev.viz.core.Codec;
import dev.viz.core.Stat;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.SpscArrayQueue;

/**
 * The capture thread: warms the encoders up, waits for the link, opens the input device, then per
 * duty cycle reads a frame, runs it through the {@link AudioProcessor}, encodes it (and, while the
 * network thread asks for them, a low-bitrate redundant copy of it) into a pooled
 * {@link EncodedFrame} and hands it to the network thread. The device paces the loop. Applies what
 * the network thread decided from the peer's reports ({@link SessionSignals#encoderControl}) between two frames.
 *
 * <p><b>Digital silence is not encoded.</b> Once the encoder has answered
 * {@value #DTX_FRAMES_BEFORE_SKIP} frames in a row with DTX, frames of zeros (a muted microphone,
 * push-to-talk released, a listen-only {@code --input silence}, a virtual device with nothing
 * playing) are sent as DTX without running it, with no probe: nothing can hide in zeros. A codec
 * that does not answer silence with DTX is always run.
 *
 * <p><b>Nor is a quiet noise floor.</b> A real microphone is never all zeros: between words and
 * while the user listens it gives the room's noise, which Opus answers with DTX but only after
 * running its whole analysis (about 3 % of a core for 20 ms frames at complexity 10). Once the
 * encoder has answered {@value #DTX_FRAMES_BEFORE_SKIP} frames in a row with DTX, frames whose peak
 * stays within {@link #gateCeiling(int) 3.5 dB} of the loudest of those are sent as DTX without
 * running it; every {@value #PROBE_INTERVAL_MS} ms one is encoded anyway (a probe), and the gate
 * opens when a frame is louder or a probe is not DTX. So speech louder than the room's noise is
 * encoded from its first frame, speech as quiet as the noise within {@value #PROBE_INTERVAL_MS} ms,
 * and the encoder's own voice-activity decision stays the judge of what is noise.
 */
final class CaptureAgent implements Agent {
    /** Opus: "a packet of 2 bytes or less need not be transmitted" (DTX). Sent as an empty frame. */
    static final int DTX_MAX_BYTES = 2;
    /** The level reported for digital silence, tenths of a dBFS (-100 dBFS; one LSB is -90.3 dBFS). */
    static final int SILENCE_TENTHS_DBFS = -1000;
    /** Frames the encoder must have answered with DTX in a row before quiet frames or zeros are no longer encoded. */
    static final int DTX_FRAMES_BEFORE_SKIP = 5;
    /** How often a frame of a gated noise floor is encoded anyway, to let the encoder judge it. */
    static final int PROBE_INTERVAL_MS = 200;

    private final SessionSignals signals;
    private final Lifecycle lifecycle;
    private final AudioDevice input;
    private final AudioProcessor processor;
    private final Codec codec;
    private final Codec copyCodec;
    private final AudioFormat format;
    private final SpscArrayQueue<EncodedFrame> toNetwork;
    private final SpscArrayQueue<EncodedFrame> freeFrames;
    private final Counters counters;
    private final short[] pcm;
    /** The largest frame a batch holds: the encoder is never given more room. */
    private final int maxFrameBytes;
    private boolean opened;
    private EncodedFrame spare;
    private long sequence;
    private int appliedLossPercent;
    private int appliedBitrateBps;
    /** Frames in a row the encoder answered with DTX (zeros or not), or skipped since. */
    private int dtxRun;
    /** The loudest peak among the frames of the current DTX run that the encoder heard (0 for zeros). */
    private int dtxRunPeak;
    /** Quiet frames skipped since the encoder last heard one. */
    private int quietSkipped;
    private final int probeEveryFrames;

    /** @param maxFrameBytes the largest encoded frame a batch holds (the session's datagram limit may be below Opus's largest) */
    CaptureAgent(SessionSignals signals, Lifecycle lifecycle, AudioDevice input, AudioProcessor processor, Codec codec,
            Codec copyCodec, AudioFormat format, SpscArrayQueue<EncodedFrame> toNetwork,
            SpscArrayQueue<EncodedFrame> freeFrames, Counters counters, int maxFrameBytes) {
        this.signals = signals;
        this.lifecycle = lifecycle;
        this.maxFrameBytes = maxFrameBytes;
        this.input = input;
        this.processor = processor;
        this.codec = codec;
        this.copyCodec = copyCodec;
        this.format = format;
        this.toNetwork = toNetwork;
        this.freeFrames = freeFrames;
        this.counters = counters;
        this.pcm = new short[format.frameSamples()];
        this.probeEveryFrames = Math.max(1, PROBE_INTERVAL_MS / format.frameMs());
    }

    @Override
    public String roleName() {
        return "viz-capture";
    }

    @Override
    public void onStart(long nowNs) {
        warmUp();
    }

    @Override
    public int doWork(long nowNs) {
        if (!opened) {
            if (!signals.isLinkUp()) {
                return 0;
            }
            if (!DeviceOpener.open(signals, lifecycle, input, AudioDevice.Direction.INPUT, format, counters)) {
                return DONE;
            }
            opened = true;
        }
        return step() ? 1 : DONE;
    }

    @Override
    public void onClose(long nowNs) {
        input.close();
    }

    /** Warms the encoders up (Concentus is slow until compiled), then signals it. */
    void warmUp() {
        try {
            codec.warmUp();
            if (copyCodec != null) {
                copyCodec.warmUp();
            }
        } catch (RuntimeException e) {
            lifecycle.error("codec warm-up failed", e);
        }
        signals.warm();
    }

    /**
     * Reads, processes, encodes and hands on one frame.
     *
     * @return false when the capture is over (the input ended or failed for good)
     */
    boolean step() {
        int read;
        try {
            read = input.read(pcm, 0, pcm.length);
        } catch (IOException e) {
            counters.increment(Stat.DEVICE_ERRORS);
            lifecycle.error("input " + input.name() + " failed: " + e.getMessage() + "; reopening", e);
            input.close();
            return DeviceOpener.open(signals, lifecycle, input, AudioDevice.Direction.INPUT, format, counters);
        }
        if (read == AudioDevice.END_OF_STREAM) {
            sendEndOfStream();
            return false;
        }
        counters.increment(Stat.FRAMES_CAPTURED);
        counters.set(Stat.INPUT_XRUNS, input.xruns());
        if (processor != AudioProcessor.NONE) { // a session without processing skips the stage
            processor.process(pcm, 0, System.nanoTime());
        }
        int peak = measureLevel(pcm, counters);
        boolean muted = signals.isMuted();
        if (muted) {
            // The encoder hears silence, so its state is continuous when the mute ends.
            Arrays.fill(pcm, (short) 0);
        }
        applyControl();
        EncodedFrame frame = takeFrame();
        if (frame == null) {
            counters.increment(Stat.FRAMES_NOT_SENT);
            return true;
        }
        boolean zeros = muted || peak == 0;
        int level = zeros ? 0 : peak;
        // One gate for both: zeros are never louder than the run, and need no probe (nothing hides in them).
        boolean skip = dtxRun >= DTX_FRAMES_BEFORE_SKIP && level <= gateCeiling(dtxRunPeak)
                && (zeros || quietSkipped < probeEveryFrames - 1);
        int length;
        if (skip) {
            length = 0;
            counters.increment(zeros ? Stat.FRAMES_SILENCE_NOT_ENCODED : Stat.FRAMES_QUIET_NOT_ENCODED);
            quietSkipped = zeros ? quietSkipped : quietSkipped + 1;
        } else {
            length = codec.encode(pcm, 0, frame.data, 0, Math.min(frame.data.length, maxFrameBytes));
            if (length < 0) {
                counters.increment(Stat.ENCODE_ERRORS);
                return true;
            }
            boolean dtx = length <= DTX_MAX_BYTES;
            dtxRun = dtx ? dtxRun + 1 : 0;
            dtxRunPeak = dtx ? Math.max(dtxRunPeak, level) : 0;
            quietSkipped = 0;
        }
        if (length <= DTX_MAX_BYTES || muted) {
            // Muted: an empty (DTX) frame whatever the encoder made of the silence, so the peer
            // counts it received, plays it as silence, and its loss figures stay honest.
            length = 0;
        }
        counters.increment(Stat.FRAMES_ENCODED);
        frame.copyLength = -1;
        if (copyCodec != null && signals.copiesPerBatch() > 0) {
            // a skipped frame's copy is the copy of a DTX frame, as the copy encoder would have made it
            int copyLength = skip ? 0 : copyCodec.encode(pcm, 0, frame.copy, 0, frame.copy.length);
            if (copyLength >= 0) {
                frame.copyLength = length == 0 || copyLength <= DTX_MAX_BYTES ? 0 : copyLength;
            }
        }
        frame.sequence = sequence++;
        frame.length = length;
        frame.flags = appliedLossPercent > 0 && length > 0 ? EncodedFrame.FLAG_FEC : 0;
        spare = null;
        if (toNetwork.offer(frame)) {
            signals.wakeNetwork();
        } else {
            spare = frame;
            counters.increment(Stat.FRAMES_NOT_SENT);
        }
        return true;
    }

    /**
     * The loudest peak a frame may have and still be sent as DTX unheard: the loudest frame of the
     * DTX run plus half of it (3.5 dB), so the noise's own frame-to-frame swing stays under it.
     */
    static int gateCeiling(int dtxRunPeak) {
        return dtxRunPeak + (dtxRunPeak >> 1);
    }

    /**
     * Publishes the peak and RMS level of one frame, tenths of a dBFS, to {@link Stat#INPUT_PEAK_TENTHS_DBFS}
     * and {@link Stat#INPUT_RMS_TENTHS_DBFS}. Allocation-free.
     *
     * @return the peak magnitude (0 for digital silence)
     */
    static int measureLevel(short[] pcm, Counters counters) {
        int peak = 0;
        double sumSquares = 0;
        for (short s : pcm) {
            int magnitude = Math.abs((int) s);
            if (magnitude > peak) {
                peak = magnitude;
            }
            sumSquares += (double) s * s;
        }
        counters.set(Stat.INPUT_PEAK_TENTHS_DBFS, tenthsDbfs(peak));
        counters.set(Stat.INPUT_RMS_TENTHS_DBFS, tenthsDbfs(Math.sqrt(sumSquares / pcm.length)));
        return peak;
    }

    /** {@code 200 log10(amplitude / 32768)}, rounded, no lower than {@link #SILENCE_TENTHS_DBFS}. */
    static long tenthsDbfs(double amplitude) {
        if (amplitude <= 0) {
            return SILENCE_TENTHS_DBFS;
        }
        return Math.max(SILENCE_TENTHS_DBFS, Math.round(200.0 * Math.log10(amplitude / 32768.0)));
    }

    /** Applies the expected loss and bitrate the network thread last published, when they changed. */
    private void applyControl() {
        int loss = signals.expectLossPercent();
        if (loss != appliedLossPercent) {
            codec.expectLoss(loss);
            appliedLossPercent = loss;
            counters.set(Stat.FEC_LOSS_PERCENT, loss);
        }
        int bitrate = signals.bitrateBps();
        if (bitrate > 0 && bitrate != appliedBitrateBps) {
            appliedBitrateBps = bitrate;
            if (codec.targetBitrate(bitrate)) {
                counters.set(Stat.ENCODER_BITRATE_BPS, bitrate);
            }
        }
    }

    private EncodedFrame takeFrame() {
        if (spare == null) {
            spare = freeFrames.poll();
        }
        return spare;
    }

    /** Hands the network thread the end-of-stream marker, waiting for a free frame while the session runs. */
    private void sendEndOfStream() {
        while (signals.isRunning()) {
            EncodedFrame frame = takeFrame();
            if (frame != null) {
                frame.sequence = sequence;
                frame.length = 0;
                frame.copyLength = -1;
                frame.flags = EncodedFrame.FLAG_END_OF_STREAM;
                if (toNetwork.offer(frame)) {
                    spare = null;
                    signals.wakeNetwork();
                    return;
                }
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }
}
