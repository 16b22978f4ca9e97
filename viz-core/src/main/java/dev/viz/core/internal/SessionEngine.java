package dev.viz.core.internal;

import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.core.wire.ReceiverReport;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.SpscArrayQueue;

/**
 * Assembles one session from its {@link SessionConfig} and runs it: opens the parts, wires the
 * three agents to their queues, their {@link SessionSignals} and the {@link Lifecycle}, starts an
 * {@link AgentRunner} per agent, and when the last runner exits, closes what is left and moves the
 * session to {@code ENDED}. It is what {@link VoiceSession}'s methods land on; the agents never call
 * it. Public only so that {@code dev.viz.core} can create it; the package is not exported.
 */
public final class SessionEngine {
    /** Frames in flight from capture to network: 2.5 s at 40 ms. */
    private static final int SEND_POOL = 64;
    /** Frames in flight from network to playback, jitter buffer included. */
    private static final int RECEIVE_POOL = JitterBuffer.CAPACITY + 64;
    private static final long CLOSE_TIMEOUT_NS = 1_000_000_000L;
    /**
     * Network thread, when its transport cannot be waited on ({@link NetworkIdleStrategy}): the
     * longest park while a call is connected, and while waiting for a peer.
     */
    static final long NETWORK_BUSY_MAX_PARK_NS = 1_000_000L;
    static final long NETWORK_QUIET_MAX_PARK_NS = 100_000_000L;
    /**
     * Capture and playback: the park while there is nothing to play, and while waiting for the link
     * (long: the link coming up and the session ending unpark them, {@link SessionSignals#wakeOnLinkUpAndEnd}).
     */
    private static final long DEVICE_PARK_NS = 1_000_000L;
    private static final long DEVICE_QUIET_PARK_NS = 1_000_000_000L;

    private final SessionConfig config;
    private final Counters counters = new Counters();
    private final SessionSignals signals = new SessionSignals();
    private final Lifecycle lifecycle;
    private final AtomicInteger liveRunners = new AtomicInteger();
    private volatile AgentRunner[] runners = new AgentRunner[0];
    private CaptureAgent captureAgent;
    private NetworkAgent networkAgent;
    private PlaybackAgent playbackAgent;
    private SpscArrayQueue<EncodedFrame> captureToNetwork;

    private SessionEngine(SessionConfig config, VoiceSession session) {
        this.config = config;
        this.lifecycle = new Lifecycle(session, config.listener(), signals, counters);
        counters.set(Stat.INPUT_PEAK_TENTHS_DBFS, CaptureAgent.SILENCE_TENTHS_DBFS);
        counters.set(Stat.INPUT_RMS_TENTHS_DBFS, CaptureAgent.SILENCE_TENTHS_DBFS);
        counters.set(Stat.OUTPUT_GAIN_PERCENT, 100);
    }

    /** Any thread: mutes or unmutes the capture from its next frame. */
    public void mute(boolean muted) {
        signals.mute(muted);
        counters.set(Stat.MUTED, muted ? 1 : 0);
    }

    public boolean isMuted() {
        return signals.isMuted();
    }

    /** Any thread: sets the output gain (clamped), applied from the next chunk played. */
    public void outputGain(double gain) {
        signals.outputGain(gain);
        counters.set(Stat.OUTPUT_GAIN_PERCENT, Math.round(signals.outputGain() * 100));
    }

    public double outputGain() {
        return signals.outputGain();
    }

    /** The engine of {@code session}, not started. */
    public static SessionEngine create(SessionConfig config, VoiceSession session) {
        return new SessionEngine(config, session);
    }

    /** Opens the parts and starts the three threads. */
    public void start() throws IOException {
        open();
        SpscArrayQueue<EncodedFrame> toNetwork = captureToNetwork;
        NetworkIdleStrategy networkIdle = new NetworkIdleStrategy(config.transport(), signals,
                () -> !toNetwork.isEmpty(), new BackoffIdleStrategy(BackoffIdleStrategy.DEFAULT_YIELDS, 50_000L,
                        NETWORK_BUSY_MAX_PARK_NS, NETWORK_QUIET_MAX_PARK_NS, signals::isLinkUp));
        signals.networkWaker(networkIdle::wakeup);
        AgentRunner[] started = {
            new AgentRunner(captureAgent, new BackoffIdleStrategy(0, DEVICE_PARK_NS, DEVICE_PARK_NS,
                    DEVICE_QUIET_PARK_NS, signals::isLinkUp), signals, lifecycle, this::runnerExited),
            new AgentRunner(networkAgent, networkIdle, signals, lifecycle, this::runnerExited),
            new AgentRunner(playbackAgent, new BackoffIdleStrategy(0, DEVICE_PARK_NS, DEVICE_PARK_NS,
                    DEVICE_QUIET_PARK_NS, signals::isLinkUp), signals, lifecycle, this::runnerExited),
        };
        liveRunners.set(started.length);
        runners = started;
        Thread[] threads = new Thread[started.length];
        for (int i = 0; i < started.length; i++) {
            threads[i] = started[i].thread();
        }
        signals.wakeOnLinkUpAndEnd(threads);
        for (AgentRunner runner : started) {
            runner.start();
        }
    }

    /**
     * Opens the parts and builds the three agents, without starting threads: {@link #start} runs
     * each agent on its own thread, a simulated-clock harness steps them itself.
     */
    void open() throws IOException {
        if (!lifecycle.start()) {
            throw new IllegalStateException("session already started");
        }
        SessionConfig c = config;
        AudioFormat format = c.format();
        Codec copyCodec = c.copyCodec();
        c.codec().open(format);
        if (copyCodec != null) {
            copyCodec.open(format);
        }
        c.processor().open(format);
        Transport transport = c.transport();
        LinkEvents events = new LinkEvents(lifecycle, counters);
        try {
            transport.open(events);
        } catch (IOException | RuntimeException e) {
            signals.end("cannot open transport: " + e.getMessage());
            closeParts();
            lifecycle.ended("cannot open transport");
            throw e;
        }
        int maxPayload = transport.maxPayloadBytes();
        int smallestBatch = c.batcher().overheadBytes(1, 0)
                + Math.min(Codec.MAX_ENCODED_BYTES, c.bitrateBps() * format.frameMs() / 8000)
                + c.compressor().maxOverheadBytes();
        // Room for a receiver report to ride with a batch, when the datagram limit allows it.
        boolean reportRides = maxPayload - ReceiverReport.LENGTH >= smallestBatch;
        int batchLimit = maxPayload - (reportRides ? ReceiverReport.LENGTH : 0);
        int dtxBatchFrames = Sender.dtxBatchFrames(format, c.framesPerBatch(), c.batcher().maxFramesPerBatch());
        c.batcher().open(format, Math.max(c.framesPerBatch(), dtxBatchFrames), batchLimit, c.compressor());

        captureToNetwork = new SpscArrayQueue<>(SEND_POOL);
        SpscArrayQueue<EncodedFrame> captureFree = new SpscArrayQueue<>(SEND_POOL);
        SpscArrayQueue<EncodedFrame> networkToPlayback = new SpscArrayQueue<>(RECEIVE_POOL);
        SpscArrayQueue<EncodedFrame> playbackFree = new SpscArrayQueue<>(RECEIVE_POOL);
        for (int i = 0; i < SEND_POOL; i++) {
            captureFree.offer(new EncodedFrame());
        }
        for (int i = 0; i < RECEIVE_POOL; i++) {
            playbackFree.offer(new EncodedFrame());
        }
        LossAdaptation adaptation = new LossAdaptation(c.redundancy(), copyCodec != null, c.framesPerBatch(),
                format.frameMs(), c.bitrateBps(), batchLimit, c.compressor().maxOverheadBytes(), c.copyBitrateBps(),
                c.batcher());
        counters.set(Stat.ENCODER_BITRATE_BPS, c.bitrateBps());

        ReceptionStats reception = new ReceptionStats(format.frameNs(), c.framesPerBatch());
        Reports reports = new Reports(transport, reception, adaptation, signals, counters, lifecycle, format.frameNs());
        Sender sender = new Sender(transport, c.batcher(), reports, format, c.framesPerBatch(), captureToNetwork,
                captureFree, counters, signals, c.endWhenInputEnds(), reportRides);
        Receiver receiver = new Receiver(transport, c.batcher(), reception, reports, signals, networkToPlayback,
                playbackFree, counters, format.frameNs(), c.framesPerBatch());
        LinkTimers timers = new LinkTimers(receiver, events, reports, sender, lifecycle, signals, counters,
                c.idleTimeoutNs(), c.keepaliveIntervalNs(), c.durationNs());
        networkAgent = new NetworkAgent(receiver, sender, timers);
        // No frame larger than a batch holds: the encoder is told the room, so a small datagram limit costs
        // bitrate, never frames.
        int maxFrameBytes = Math.min(Codec.MAX_ENCODED_BYTES,
                batchLimit - c.batcher().overheadBytes(1, 0) - c.compressor().maxOverheadBytes());
        captureAgent = new CaptureAgent(signals, lifecycle, c.input(), c.processor(), c.codec(), copyCodec, format,
                captureToNetwork, captureFree, counters, maxFrameBytes);
        Playout playout = new Playout(format, c.codec(), counters, c.playoutMarginNs(), c.maxPlayoutDelayNs(),
                playbackFree::offer, c.framesPerBatch(), transport::isReliableStream);
        playbackAgent = new PlaybackAgent(signals, lifecycle, c.output(), c.processor(), format, playout,
                networkToPlayback, counters);
    }

    /** One figure, without a snapshot. */
    long counter(Stat stat) {
        return counters.get(stat);
    }

    CaptureAgent captureAgent() {
        return captureAgent;
    }

    NetworkAgent networkAgent() {
        return networkAgent;
    }

    PlaybackAgent playbackAgent() {
        return playbackAgent;
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    private void runnerExited() {
        if (liveRunners.decrementAndGet() == 0) {
            finish();
        }
    }

    /** After the last thread is out: closes what is left and publishes ENDED. */
    void finish() {
        signals.end("closed");
        closeParts();
        lifecycle.ended("closed");
    }

    /** Closes every part; each close is idempotent. */
    private void closeParts() {
        SessionConfig c = config;
        c.input().close();
        c.output().close();
        c.transport().close();
        c.codec().close();
        if (c.copyCodec() != null) {
            c.copyCodec().close();
        }
        c.compressor().close();
        c.processor().close();
    }

    // ---- VoiceSession API -----------------------------------------------------------------------

    public void awaitEnd() throws InterruptedException {
        lifecycle.awaitEnd();
    }

    public boolean awaitEnd(long timeoutNs) throws InterruptedException {
        return lifecycle.awaitEnd(timeoutNs);
    }

    public SessionState state() {
        return lifecycle.state();
    }

    public String failure() {
        return lifecycle.failure();
    }

    public String endReason() {
        return lifecycle.state() == SessionState.ENDED ? signals.endReason() : null;
    }

    public SessionStats stats() {
        return lifecycle.stats();
    }

    public AudioFormat format() {
        return config.format();
    }

    public int framesPerBatch() {
        return config.framesPerBatch();
    }

    public Transport transport() {
        return config.transport();
    }

    /** Ends the call and waits up to a second for the threads; see {@link VoiceSession#close()}. */
    public void close() {
        if (lifecycle.endUnstarted("closed before start")) {
            config.transport().close();
            config.input().close();
            config.output().close();
            return;
        }
        signals.end("closed");
        AgentRunner[] all = runners;
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NS;
        for (AgentRunner runner : all) {
            long leftNs = deadline - System.nanoTime();
            Thread thread = runner.thread();
            if (leftNs > 0 && thread != Thread.currentThread()) {
                try {
                    thread.join(Math.max(1, leftNs / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (AgentRunner runner : all) {
            if (runner.thread().isAlive()) {
                // A device blocked in read or write: closing it unblocks it where the backend allows.
                config.input().close();
                config.output().close();
                runner.thread().interrupt();
            }
        }
    }
}
