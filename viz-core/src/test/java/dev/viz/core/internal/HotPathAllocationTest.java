package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.AudioFormat;
import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.batch.FrameBatcher;
import dev.viz.core.batch.NoCompressor;
import java.lang.management.ManagementFactory;
import org.jctools.queues.SpscArrayQueue;
import org.junit.jupiter.api.Test;

/**
 * Viz's own per-frame work allocates nothing in steady state. One thread runs, frame by frame, what
 * the three session threads do between the devices and the socket, with the engine's own classes: a
 * pooled {@link EncodedFrame} taken from and returned to an SPSC queue, a codec that costs nothing
 * (so only Viz's code runs), {@link FrameBatcher} append and flush through {@link NoCompressor}, then
 * {@link FrameBatcher#read} of that payload into pooled frames, the {@link JitterBuffer}, and
 * decode, concealment and FEC recovery for a frame dropped on purpose every 25 frames. The allocated
 * bytes of this thread (ThreadMXBean) are counted over 10,000 frames after a warm-up.
 *
 * <p>Not covered here: sockets and the transport, the secure layer, the real compressor and codecs
 * (their own modules test and benchmark them), and the idle loops of the threads.
 */
class HotPathAllocationTest {
    private static final AudioFormat FORMAT = AudioFormat.mono48k(40);
    private static final int FRAMES_PER_BATCH = 8;
    private static final int POOL = 64;

    private final Codec codec = new PassThroughCodec();
    private final FrameBatcher sender = new FrameBatcher();
    private final FrameBatcher receiver = new FrameBatcher();
    private final SpscArrayQueue<EncodedFrame> captureFree = new SpscArrayQueue<>(POOL);
    private final SpscArrayQueue<EncodedFrame> toNetwork = new SpscArrayQueue<>(POOL);
    private final SpscArrayQueue<EncodedFrame> playbackFree = new SpscArrayQueue<>(POOL);
    private final SpscArrayQueue<EncodedFrame> toPlayback = new SpscArrayQueue<>(POOL);
    private final JitterBuffer jitter = new JitterBuffer(0);
    private final short[] capturePcm = new short[FORMAT.frameSamples()];
    private final short[] playbackPcm = new short[FORMAT.frameSamples()];
    private final byte[] payload = new byte[1400];
    private final Batcher.FrameHandler onFrame = this::onFrame;
    private long sequence;
    private long played;
    private long concealedOrRecovered;

    @Test
    void shouldAllocateNothingPerFrameOnVizsOwnHotPath() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "skipped: this JVM does not count allocated bytes per thread");
        codec.open(FORMAT);
        sender.open(FORMAT, FRAMES_PER_BATCH, payload.length, new NoCompressor());
        receiver.open(FORMAT, FRAMES_PER_BATCH, payload.length, new NoCompressor());
        for (int i = 0; i < POOL; i++) {
            captureFree.offer(new EncodedFrame());
            playbackFree.offer(new EncodedFrame());
        }
        for (int i = 0; i < capturePcm.length; i++) {
            capturePcm[i] = (short) (i * 31);
        }

        runFrames(20_000);
        long before = threads.getCurrentThreadAllocatedBytes();
        long playedBefore = played;
        long lossesBefore = concealedOrRecovered;
        runFrames(10_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(10_000, played - playedBefore, "frames played");
        assertEquals(400, concealedOrRecovered - lossesBefore, "one frame in 25 went through concealment or FEC");
        // One object per frame would be 160,000 bytes or more. The JIT's own transitions can show up as a few
        // hundred bytes at random moments, so the bound is under 1 byte per frame rather than exactly 0.
        assertTrue(allocated < 10_000, allocated + " bytes allocated over 10,000 frames: under 1 byte per frame is required");
    }

    private void runFrames(int frames) {
        for (int i = 0; i < frames; i++) {
            capture();
            network();
            playback();
        }
    }

    /** Capture thread: encode into a pooled frame and hand it on. */
    private void capture() {
        EncodedFrame frame = captureFree.poll();
        int length = codec.encode(capturePcm, 0, frame.data, 0, frame.data.length);
        frame.sequence = sequence++;
        frame.length = length;
        frame.flags = 0;
        toNetwork.offer(frame);
    }

    /** Network thread: batch, flush a complete batch, and read it back as the receiving peer would. */
    private void network() {
        EncodedFrame frame;
        while ((frame = toNetwork.poll()) != null) {
            if (sender.append(frame.sequence, frame.data, 0, frame.length) == Batcher.FLUSH_FIRST) {
                throw new AssertionError("a batch of uniform 160-byte frames never needs an early flush");
            }
            captureFree.offer(frame);
            if (sender.isComplete()) {
                int length = sender.flush(payload, 0);
                assertEquals(FRAMES_PER_BATCH, receiver.read(payload, 0, length, onFrame));
            }
        }
    }

    private void onFrame(long frameSequence, byte[] buffer, int offset, int length) {
        if (frameSequence % 25 == 3) {
            return; // lost on the way
        }
        EncodedFrame frame = playbackFree.poll();
        frame.set(frameSequence, buffer, offset, length);
        toPlayback.offer(frame);
    }

    /** Playback thread: into the jitter buffer, then one frame out per call once a batch has arrived. */
    private void playback() {
        EncodedFrame frame;
        while ((frame = toPlayback.poll()) != null) {
            if (jitter.insert(frame, 0) != JitterBuffer.INSERTED) {
                throw new AssertionError("frame " + frame.sequence + " not inserted");
            }
        }
        // Playout starts with the first batch; from then on a batch arrives exactly when the previous one is used up.
        if (!jitter.startIfDue(0)) {
            return;
        }
        EncodedFrame taken = jitter.take();
        if (taken != null) {
            codec.decode(taken.data, 0, taken.length, playbackPcm, 0);
            playbackFree.offer(taken);
        } else {
            EncodedFrame next = jitter.peek();
            if (next != null) {
                codec.recover(next.data, 0, next.length, playbackPcm, 0);
            } else {
                codec.conceal(playbackPcm, 0);
            }
            concealedOrRecovered++;
        }
        played++;
    }

    /** A codec that costs nothing: "encodes" 160 bytes of the PCM and copies them back on decode. */
    private static final class PassThroughCodec implements Codec {
        private int frameSamples;

        @Override
        public String name() {
            return "passthrough";
        }

        @Override
        public void open(AudioFormat format) {
            frameSamples = format.frameSamples();
        }

        @Override
        public int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes) {
            for (int i = 0; i < 80; i++) {
                out[outOffset + 2 * i] = (byte) pcm[pcmOffset + i];
                out[outOffset + 2 * i + 1] = (byte) (pcm[pcmOffset + i] >> 8);
            }
            return 160;
        }

        @Override
        public int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset) {
            for (int i = 0; i < length / 2; i++) {
                pcm[pcmOffset + i] = (short) ((in[inOffset + 2 * i] & 0xFF) | (in[inOffset + 2 * i + 1] << 8));
            }
            return frameSamples;
        }

        @Override
        public int conceal(short[] pcm, int pcmOffset) {
            return frameSamples;
        }
    }
}
