package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.SessionListener;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.core.wire.AudioBatch;
import dev.viz.core.wire.ReceiverReport;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns a session's parts, queues and threads, its state, and how it ends. Every public method of
 * {@link VoiceSession} lands here; the agents call back into it.
 */
public final class SessionEngine implements Transport.Events {
    private static final Logger LOG = LoggerFactory.getLogger(SessionEngine.class);
    /** Frames in flight from capture to network: 2.5 s at 40 ms. */
    private static final int SEND_POOL = 64;
    /** Frames in flight from network to playback, jitter buffer included. */
    private static final int RECEIVE_POOL = JitterBuffer.CAPACITY + 64;
    private static final long CLOSE_TIMEOUT_NS = 1_000_000_000L;

    private final VoiceSession session;
    private final AudioFormat format;
    private final int framesPerBatch;
    private final AudioDevice input;
    private final AudioDevice output;
    private final Codec codec;
    private final Compressor compressor;
    private final Batcher batcher;
    private final Transport transport;
    private final SessionListener listener;
    private final long durationNs;
    private final long idleTimeoutNs;
    private final long keepaliveIntervalNs;
    private final boolean endWhenInputEnds;
    private final RealtimeSettings realtime;
    private final EncoderControl encoderControl = new EncoderControl();

    private final Counters counters = new Counters();
    private final AtomicReference<SessionState> state = new AtomicReference<>(SessionState.NEW);
    private final AtomicReference<String> endReason = new AtomicReference<>();
    private final AtomicInteger liveThreads = new AtomicInteger();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CountDownLatch connectedOrEnded = new CountDownLatch(1);
    private volatile boolean running;
    private volatile boolean warm;
    private volatile boolean peerSaidBye;
    private volatile long peerLastSequence;
    private volatile String peer;
    private volatile String verificationCode;
    private volatile String failure;
    private Thread[] threads = new Thread[0];
    private CaptureAgent captureAgent;
    private NetworkAgent networkAgent;
    private PlaybackAgent playbackAgent;

    public SessionEngine(VoiceSession session, AudioFormat format, int framesPerBatch, AudioDevice input,
            AudioDevice output, Codec codec, Compressor compressor, Batcher batcher, Transport transport,
            SessionListener listener, long durationNs, long idleTimeoutNs, long keepaliveIntervalNs,
            boolean endWhenInputEnds, RealtimeSettings realtime) {
        this.session = session;
        this.format = format;
        this.framesPerBatch = framesPerBatch;
        this.input = input;
        this.output = output;
        this.codec = codec;
        this.compressor = compressor;
        this.batcher = batcher;
        this.transport = transport;
        this.listener = listener;
        this.durationNs = durationNs;
        this.idleTimeoutNs = idleTimeoutNs;
        this.keepaliveIntervalNs = keepaliveIntervalNs;
        this.endWhenInputEnds = endWhenInputEnds;
        this.realtime = realtime;
    }

    public void start() throws IOException {
        open();
        threads = new Thread[] {
            newThread("viz-capture", captureAgent),
            newThread("viz-network", networkAgent),
            newThread("viz-playback", playbackAgent),
        };
        liveThreads.set(threads.length);
        for (Thread thread : threads) {
            thread.start();
        }
    }

    /**
     * Opens the parts and builds the three agents, without starting threads: {@link #start} runs
     * each agent on its own thread, a simulated-clock harness steps them itself.
     */
    void open() throws IOException {
        if (!state.compareAndSet(SessionState.NEW, SessionState.CONNECTING)) {
            throw new IllegalStateException("session already started");
        }
        codec.open(format);
        Codec copyCodec = realtime.copyCodec;
        if (copyCodec != null) {
            copyCodec.open(format);
        }
        try {
            transport.open(this);
        } catch (IOException | RuntimeException e) {
            state.set(SessionState.ENDED);
            endReason.compareAndSet(null, "cannot open transport: " + e.getMessage());
            ended.countDown();
            connectedOrEnded.countDown();
            codec.close();
            if (copyCodec != null) {
                copyCodec.close();
            }
            throw e;
        }
        int maxPayload = transport.maxPayloadBytes();
        int smallestBatch = AudioBatch.HEADER_LENGTH + AudioBatch.LENGTH_BYTES + Codec.MAX_ENCODED_BYTES
                + compressor.maxOverheadBytes();
        // Room for a receiver report to ride with a batch, when the datagram limit allows it.
        int reportRoom = maxPayload - ReceiverReport.LENGTH >= smallestBatch ? ReceiverReport.LENGTH : 0;
        int batchLimit = maxPayload - reportRoom;
        int dtxBatchFrames = NetworkAgent.dtxBatchFrames(format, framesPerBatch);
        batcher.open(format, Math.max(framesPerBatch, dtxBatchFrames), batchLimit, compressor);

        SpscArrayQueue<EncodedFrame> captureToNetwork = new SpscArrayQueue<>(SEND_POOL);
        SpscArrayQueue<EncodedFrame> captureFree = new SpscArrayQueue<>(SEND_POOL);
        SpscArrayQueue<EncodedFrame> networkToPlayback = new SpscArrayQueue<>(RECEIVE_POOL);
        SpscArrayQueue<EncodedFrame> playbackFree = new SpscArrayQueue<>(RECEIVE_POOL);
        for (int i = 0; i < SEND_POOL; i++) {
            captureFree.offer(new EncodedFrame());
        }
        for (int i = 0; i < RECEIVE_POOL; i++) {
            playbackFree.offer(new EncodedFrame());
        }
        LossAdaptation adaptation = new LossAdaptation(realtime.redundancy, copyCodec != null, framesPerBatch,
                format.frameMs(), realtime.bitrateBps, batchLimit, compressor.maxOverheadBytes(),
                realtime.copyBitrateBps);
        counters.set(Stat.ENCODER_BITRATE_BPS, realtime.bitrateBps);
        running = true;
        notifyState(SessionState.CONNECTING);
        captureAgent = new CaptureAgent(this, input, codec, copyCodec, format, captureToNetwork, captureFree,
                counters, encoderControl);
        networkAgent = new NetworkAgent(this, transport, batcher, format, framesPerBatch, dtxBatchFrames,
                captureToNetwork, captureFree, networkToPlayback, playbackFree, counters, idleTimeoutNs,
                keepaliveIntervalNs, durationNs, reportRoom, adaptation, encoderControl);
        playbackAgent = new PlaybackAgent(this, output, codec, format, networkToPlayback, playbackFree, counters,
                realtime.playoutMarginNs, realtime.maxPlayoutDelayNs);
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

    private Thread newThread(String name, Runnable agent) {
        Thread thread = new Thread(() -> {
            try {
                agent.run();
            } catch (RuntimeException | Error e) {
                fail(Thread.currentThread().getName() + " failed: " + e, e);
            } finally {
                if (liveThreads.decrementAndGet() == 0) {
                    finish();
                }
            }
        }, name);
        thread.setDaemon(true);
        return thread;
    }

    /** The last thread out closes what is left and publishes ENDED. */
    void finish() {
        running = false;
        input.close();
        output.close();
        transport.close();
        codec.close();
        if (realtime.copyCodec != null) {
            realtime.copyCodec.close();
        }
        compressor.close();
        endReason.compareAndSet(null, "closed");
        notifyState(SessionState.ENDED);
        connectedOrEnded.countDown();
        ended.countDown();
        if (LOG.isInfoEnabled()) {
            LOG.info("call ended: {}", endReason.get());
        }
    }

    // ---- called by the agents -------------------------------------------------------------------

    boolean isRunning() {
        return running;
    }

    void markWarm() {
        warm = true;
    }

    boolean isWarm() {
        return warm;
    }

    /** Blocks the calling agent until the peer answers; false when the session ended first. */
    boolean awaitConnectedOrEnd() {
        while (running) {
            try {
                if (connectedOrEnded.await(100, TimeUnit.MILLISECONDS)) {
                    return running;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    boolean isReconnecting() {
        return state.get() == SessionState.RECONNECTING;
    }

    /** Network thread: a valid payload came from the peer for the first time, or after reconnecting. */
    void onConnected() {
        notifyState(SessionState.CONNECTED);
        connectedOrEnded.countDown();
    }

    void onPeerBye(long lastSequence) {
        peerLastSequence = lastSequence;
        peerSaidBye = true;
    }

    boolean peerSaidBye() {
        return peerSaidBye;
    }

    long peerLastSequence() {
        return peerLastSequence;
    }

    /** Network thread: the input has nothing more to give (a file ended). */
    void onInputEnded() {
        if (endWhenInputEnds) {
            end("the input ended", true);
        }
    }

    /** Any thread: ends the call. The network thread sends a bye on its way out unless the peer said bye. */
    void end(String reason, boolean tellPeer) {
        if (endReason.compareAndSet(null, reason) && LOG.isDebugEnabled()) {
            LOG.debug("ending: {}", reason);
        }
        running = false;
        connectedOrEnded.countDown();
    }

    /** Reports a problem to the listener; the session goes on. */
    void error(String message, Throwable cause) {
        LOG.warn(message);
        try {
            listener.onError(session, message, cause);
        } catch (RuntimeException e) {
            LOG.warn("listener threw from onError", e);
        }
    }

    /** Reports a problem that ends the session. */
    void fail(String message, Throwable cause) {
        if (failure == null) {
            failure = message;
        }
        error(message, cause);
        end(message, true);
    }

    private void notifyState(SessionState next) {
        SessionState previous = state.get();
        if (previous == SessionState.ENDED) {
            return;
        }
        if (previous == next && next != SessionState.CONNECTING) {
            return;
        }
        state.set(next);
        if (LOG.isInfoEnabled() && previous != next) {
            LOG.info("{}{}", next.name().toLowerCase(), peer == null ? "" : " (" + peer + ")");
        }
        try {
            listener.onStateChanged(session, next);
        } catch (RuntimeException e) {
            LOG.warn("listener threw from onStateChanged", e);
        }
    }

    // ---- Transport.Events (network thread) ------------------------------------------------------

    @Override
    public void onReady(String peer) {
        onPeerMoved(peer);
    }

    @Override
    public void onNotReady(String reason) {
        if (state.get() == SessionState.CONNECTED) {
            LOG.info("reconnecting: {}", reason);
            notifyState(SessionState.RECONNECTING);
        }
    }

    @Override
    public void onPeerMoved(String peer) {
        if (peer != null && !peer.equals(this.peer)) {
            this.peer = peer;
            try {
                listener.onPeerChanged(session, peer);
            } catch (RuntimeException e) {
                LOG.warn("listener threw from onPeerChanged", e);
            }
        }
    }

    @Override
    public void onSecured(String peerFingerprint, String verificationCode) {
        this.verificationCode = verificationCode;
        try {
            listener.onSecured(session, peerFingerprint, verificationCode);
        } catch (RuntimeException e) {
            LOG.warn("listener threw from onSecured", e);
        }
    }

    @Override
    public void onFailed(String reason) {
        fail(reason, null);
    }

    @Override
    public void onWarning(String message) {
        error(message, null);
    }

    @Override
    public void onRejected(Transport.Rejection why) {
        counters.increment(Stat.DATAGRAMS_REJECTED);
        counters.increment(Stat.of(why));
    }

    // ---- VoiceSession API -----------------------------------------------------------------------

    public void awaitEnd() throws InterruptedException {
        ended.await();
    }

    public boolean awaitEnd(long timeoutNs) throws InterruptedException {
        return ended.await(timeoutNs, TimeUnit.NANOSECONDS);
    }

    public SessionState state() {
        return state.get();
    }

    public String failure() {
        return failure;
    }

    public String endReason() {
        return state.get() == SessionState.ENDED ? endReason.get() : null;
    }

    public SessionStats stats() {
        return new SessionStats(counters.snapshot(), state.get(), peer, verificationCode);
    }

    /** Network thread, about once a second: hands the listener a snapshot, when it wants one. */
    void publishStats() {
        if (listener == SessionListener.NONE) {
            return;
        }
        try {
            listener.onStats(session, stats());
        } catch (RuntimeException e) {
            LOG.warn("listener threw from onStats", e);
        }
    }

    public AudioFormat format() {
        return format;
    }

    public int framesPerBatch() {
        return framesPerBatch;
    }

    public Transport transport() {
        return transport;
    }

    public void close() {
        if (state.compareAndSet(SessionState.NEW, SessionState.ENDED)) {
            endReason.compareAndSet(null, "closed before start");
            transport.close();
            input.close();
            output.close();
            ended.countDown();
            connectedOrEnded.countDown();
            return;
        }
        end("closed", true);
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_NS;
        for (Thread thread : threads) {
            long leftNs = deadline - System.nanoTime();
            if (leftNs > 0 && thread != Thread.currentThread()) {
                try {
                    thread.join(Math.max(1, leftNs / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (Thread thread : threads) {
            if (thread.isAlive()) {
                // A device blocked in read or write: closing it unblocks it where the backend allows.
                input.close();
                output.close();
                thread.interrupt();
            }
        }
        LockSupport.parkNanos(1);
    }
}
