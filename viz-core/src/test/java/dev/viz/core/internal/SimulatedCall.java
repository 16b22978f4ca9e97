package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.AudioProcessor;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.Profile;
import dev.viz.core.Redundancy;
import dev.viz.core.SessionListener;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.Transport;
import dev.viz.core.batch.FrameBatcher;
import dev.viz.core.batch.NoCompressor;
import dev.viz.core.testing.ArrayInput;
import dev.viz.core.testing.ArrayOutput;
import dev.viz.core.testing.SimClock;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A one-way call on a simulated clock, through the session's real engine: a talker's
 * {@link CaptureAgent} and {@link NetworkAgent}, a listener's {@link NetworkAgent} and
 * {@link PlaybackAgent}, with real batchers, the given codecs and compressors, and the given
 * transports (in tests: an in-memory pair, usually wrapped in an impairment on the same clock).
 * Nothing runs on a thread of its own and nothing waits: the harness moves the clock a tick at a
 * time and steps each agent when its device would (the talker's microphone every frame, the
 * listener's speaker whenever the chunk it was given has played), each device clock off by its own
 * ppm. An hour of call takes seconds.
 *
 * <p>The listener sends no audio; it sends what a silent peer sends (keepalives, receiver reports),
 * so the talker's loss adaptation runs on what the listener measures.
 */
public final class SimulatedCall {
    private final Builder b;

    private SimulatedCall(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What a run measured. */
    public static final class Result {
        /** The talker's figures at the end. */
        public SessionStats talker;
        /** The listener's figures at the end. */
        public SessionStats listener;
        /** What the listener played. */
        public short[] played;
        /**
         * What the listener played, put back in the place of the frame it played for: one frame
         * period per sequence number from 0 (zeros for a slot dropped whole), ignoring when it was
         * played. Compared with what was said at one constant lag, it measures how each frame's sound
         * survived, whatever the playout did to the delay.
         */
        public short[] byFrame;
        /** Sequence numbers the playout passed. */
        public long slots;
        /** Highest playout delay once playout had run {@link Builder#settleNs}, ms. */
        public long maxDelayAfterSettleMs;
        /** Lowest playout delay once playout had run {@link Builder#settleNs}, ms. */
        public long minDelayAfterSettleMs = Long.MAX_VALUE;
        /** Highest playout delay at all, ms. */
        public long maxDelayMs;
        /** The longest time after playout began with nothing to play. */
        public long longestStallNs;
        /** Simulated time the call ran. */
        public long simulatedNs;
        /** Playout delay sampled once a simulated second, ms. */
        public long[] delayTraceMs;
        /**
         * Bytes the run's thread allocated from {@link Builder#measureAllocationFromNs} to the end (the
         * whole engine: capture, network both ways, playout), or -1 when not measured.
         */
        public long allocatedBytes = -1;
        /** Frames the listener's playout passed while allocation was measured. */
        public long slotsMeasured;
    }

    /**
     * Runs the call for {@link Builder#duration} of simulated time (or until the talker's input has
     * ended and the listener has had {@link Builder#tailNs} to play what it holds).
     */
    public Result run() {
        AudioFormat format = AudioFormat.mono48k(b.frameMs);
        ArrayOutput output = new ArrayOutput(b.outputCapacitySamples);
        long marginNs = b.profile.playoutMargin().toNanos();
        SessionEngine talker = SessionEngine.create(new SessionConfig(format, b.framesPerBatch, b.talkerInput,
                new ArrayOutput(0), AudioProcessor.NONE, b.talkerCodec, b.talkerCopyCodec, b.talkerCompressor,
                new FrameBatcher(), b.talkerTransport, SessionListener.NONE, 0, b.idleTimeoutNs, 10_000_000_000L, false,
                marginNs, b.maxPlayoutDelayNs, b.redundancy, b.bitrateBps, 6_000), null);
        SessionEngine listener = SessionEngine.create(new SessionConfig(format, b.framesPerBatch,
                new ArrayInput(new short[0], false), output, AudioProcessor.NONE, b.listenerCodec, null,
                b.listenerCompressor, new FrameBatcher(), b.listenerTransport, SessionListener.NONE, 0, b.idleTimeoutNs,
                10_000_000_000L, false, marginNs, b.maxPlayoutDelayNs, Redundancy.OFF, b.bitrateBps, 6_000), null);
        try {
            talker.open();
            listener.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CaptureAgent capture = talker.captureAgent();
        NetworkAgent talkerNet = talker.networkAgent();
        NetworkAgent listenerNet = listener.networkAgent();
        PlaybackAgent playback = listener.playbackAgent();
        Playout playout = playback.playout();
        capture.warmUp();
        listener.captureAgent().warmUp();

        Result result = new Result();
        int traceLength = (int) (b.durationNs / 1_000_000_000L) + 2;
        long[] trace = new long[traceLength];
        SimClock clock = b.clock;
        long tick = b.tickNs;
        double capturePeriodNs = format.frameNs() / (1 + b.talkerPpm * 1e-6);
        double sampleNs = 1e9 / format.sampleRateHz() / (1 + b.listenerPpm * 1e-6);
        long t = clock.nowNs();
        long start = t;
        long end = start + b.durationNs;
        talkerNet.onStart(t);
        listenerNet.onStart(t);
        double nextCapture = -1;
        double nextPlay = t;
        boolean devicePlaying = false;
        long inputEndedAt = -1;
        long playoutStartedAt = -1;
        long stallFrom = -1;
        long nextTrace = start;
        int traced = 0;
        int frameSamples = format.frameSamples();
        short[] byFrame = new short[b.byFrameCapacitySamples];
        com.sun.management.ThreadMXBean threads = b.measureAllocationFromNs < 0 ? null
                : (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long threadId = Thread.currentThread().getId();
        long allocatedAtStart = -1;
        long slotsAtStart = 0;
        while (t < end) {
            clock.set(t);
            if (threads != null && allocatedAtStart < 0 && t - start >= b.measureAllocationFromNs) {
                slotsAtStart = playout.slots();
                allocatedAtStart = threads.getThreadAllocatedBytes(threadId);
            }
            if (nextCapture < 0 && inputEndedAt < 0 && talker.state() == SessionState.CONNECTED) {
                nextCapture = t;
            }
            while (nextCapture >= 0 && t >= nextCapture) {
                if (!capture.step()) {
                    nextCapture = -1;
                    inputEndedAt = t;
                    break;
                }
                nextCapture += capturePeriodNs;
            }
            talkerNet.doWork(t);
            listenerNet.doWork(t);
            if (t >= nextPlay) {
                long headBefore = playout.head();
                int samples = playback.step(t);
                long played = playout.head() - headBefore;
                if (samples > 0 && played > 0 && output.overflow() == 0) {
                    long slot = playout.head() - 1;
                    int count = Math.min(samples, frameSamples);
                    if ((slot + 1) * frameSamples <= byFrame.length) {
                        // The chunk's first frame's worth (a stretched chunk is a little longer, a shrunk one shorter).
                        output.copyRecent(samples, count, byFrame, (int) (slot * frameSamples));
                    }
                }
                if (samples > 0) {
                    // The device's clock runs on from where the last chunk ended, not from the tick.
                    nextPlay = (devicePlaying ? nextPlay : t) + samples * sampleNs;
                    devicePlaying = true;
                    if (playoutStartedAt < 0) {
                        playoutStartedAt = t;
                    }
                    if (stallFrom >= 0) {
                        result.longestStallNs = Math.max(result.longestStallNs, t - stallFrom);
                        stallFrom = -1;
                    }
                    long delayMs = playout.delayNs() / 1_000_000L;
                    result.maxDelayMs = Math.max(result.maxDelayMs, delayMs);
                    if (t - playoutStartedAt >= b.settleNs) {
                        result.maxDelayAfterSettleMs = Math.max(result.maxDelayAfterSettleMs, delayMs);
                        result.minDelayAfterSettleMs = Math.min(result.minDelayAfterSettleMs, delayMs);
                    }
                } else {
                    nextPlay = t + tick;
                    devicePlaying = false;
                    if (playoutStartedAt >= 0 && stallFrom < 0) {
                        stallFrom = t;
                    }
                }
            }
            if (t >= nextTrace && traced < traceLength) {
                trace[traced++] = playout.isStarted() ? playout.delayNs() / 1_000_000L : -1;
                nextTrace += 1_000_000_000L;
            }
            if (inputEndedAt >= 0 && (t - inputEndedAt >= b.tailNs
                    || playout.isStarted() && playout.head() >= capturedFrames(talker))) {
                // Everything said has been played (or given up on).
                break;
            }
            t += tick;
        }
        if (allocatedAtStart >= 0) {
            result.allocatedBytes = threads.getThreadAllocatedBytes(threadId) - allocatedAtStart;
            result.slotsMeasured = playout.slots() - slotsAtStart;
        }
        if (stallFrom >= 0 && inputEndedAt < 0) {
            result.longestStallNs = Math.max(result.longestStallNs, t - stallFrom);
        }
        result.simulatedNs = t - start;
        result.delayTraceMs = java.util.Arrays.copyOf(trace, traced);
        result.talker = talker.stats();
        result.listener = listener.stats();
        result.played = output.recorded();
        result.byFrame = byFrame;
        result.slots = playout.slots();
        talker.finish();
        listener.finish();
        return result;
    }

    private static long capturedFrames(SessionEngine engine) {
        return engine.counter(dev.viz.core.Stat.FRAMES_ENCODED);
    }

    /** Settings of a simulated call; the transports, the talker's input and the codecs are required. */
    public static final class Builder {
        private Profile profile = Profile.TUNNEL;
        private int frameMs = Profile.TUNNEL.frameMs();
        private int framesPerBatch = Profile.TUNNEL.framesPerBatch();
        private long maxPlayoutDelayNs = Profile.TUNNEL.maxPlayoutDelay().toNanos();
        private Redundancy redundancy = Redundancy.AUTO;
        private int bitrateBps = 32_000;
        private AudioDevice talkerInput;
        private Codec talkerCodec;
        private Codec talkerCopyCodec;
        private Codec listenerCodec;
        private Compressor talkerCompressor = new NoCompressor();
        private Compressor listenerCompressor = new NoCompressor();
        private Transport talkerTransport;
        private Transport listenerTransport;
        private SimClock clock = new SimClock();
        private long durationNs = 60_000_000_000L;
        private long tailNs = 3_000_000_000L;
        private long settleNs = 5_000_000_000L;
        private long tickNs = 1_000_000L;
        private long idleTimeoutNs = 28_000_000_000L;
        private double talkerPpm;
        private double listenerPpm;
        private int outputCapacitySamples = 48_000 * 120;
        private int byFrameCapacitySamples = 0;
        private long measureAllocationFromNs = -1;

        public Builder profile(Profile profile) {
            this.profile = profile;
            this.frameMs = profile.frameMs();
            this.framesPerBatch = profile.framesPerBatch();
            this.maxPlayoutDelayNs = profile.maxPlayoutDelay().toNanos();
            return this;
        }

        public Builder redundancy(Redundancy redundancy) {
            this.redundancy = redundancy;
            return this;
        }

        public Builder bitrateBps(int bitrateBps) {
            this.bitrateBps = bitrateBps;
            return this;
        }

        /** What the talker says. */
        public Builder talkerInput(AudioDevice talkerInput) {
            this.talkerInput = talkerInput;
            return this;
        }

        /** The talker's codec, its encoder for redundant copies (null for none), and the listener's codec. */
        public Builder codecs(Codec talkerCodec, Codec talkerCopyCodec, Codec listenerCodec) {
            this.talkerCodec = talkerCodec;
            this.talkerCopyCodec = talkerCopyCodec;
            this.listenerCodec = listenerCodec;
            return this;
        }

        public Builder compressors(Compressor talkerCompressor, Compressor listenerCompressor) {
            this.talkerCompressor = talkerCompressor;
            this.listenerCompressor = listenerCompressor;
            return this;
        }

        /** The two ends of the path (opened by the run). */
        public Builder transports(Transport talkerTransport, Transport listenerTransport) {
            this.talkerTransport = talkerTransport;
            this.listenerTransport = listenerTransport;
            return this;
        }

        /** The clock the run moves (give the same one to simulated transports). */
        public Builder clock(SimClock clock) {
            this.clock = clock;
            return this;
        }

        public Builder durationNs(long durationNs) {
            this.durationNs = durationNs;
            return this;
        }

        /** How long to go on after the talker's input ended. */
        public Builder tailNs(long tailNs) {
            this.tailNs = tailNs;
            return this;
        }

        /** From when (after playout starts) the delay bounds are watched. */
        public Builder settleNs(long settleNs) {
            this.settleNs = settleNs;
            return this;
        }

        public Builder tickNs(long tickNs) {
            this.tickNs = tickNs;
            return this;
        }

        /** How far off each device clock runs: positive is fast. */
        public Builder drift(double talkerPpm, double listenerPpm) {
            this.talkerPpm = talkerPpm;
            this.listenerPpm = listenerPpm;
            return this;
        }

        public Builder outputCapacitySamples(int outputCapacitySamples) {
            this.outputCapacitySamples = outputCapacitySamples;
            return this;
        }

        /** Keeps {@link Result#byFrame} for this many samples of the talker's stream (0: none). */
        public Builder byFrameCapacitySamples(int byFrameCapacitySamples) {
            this.byFrameCapacitySamples = byFrameCapacitySamples;
            return this;
        }

        /** Measures what the run allocates from this far into it (after warm-up) to its end. */
        public Builder measureAllocationFromNs(long measureAllocationFromNs) {
            this.measureAllocationFromNs = measureAllocationFromNs;
            return this;
        }

        public SimulatedCall build() {
            if (talkerInput == null || talkerCodec == null || listenerCodec == null || talkerTransport == null
                    || listenerTransport == null) {
                throw new IllegalStateException("talker input, codecs and transports are required");
            }
            return new SimulatedCall(this);
        }
    }
}
