package dev.viz.core.internal;

/**
 * The benchmarks' hook into the engine: drives the package-private {@link JitterBuffer} and
 * {@link EncodedFrame} pool exactly as the network and playback threads do, so the receive-path
 * benchmark ({@code viz-benchmarks}' {@code ReceivePath}) measures the engine's own classes. It is
 * not API: the package is not exported by the {@code dev.viz.core} module, so on the module path no
 * other module can reach it; the benchmarks run from their fat jar on the class path, where it is
 * an ordinary public class. It used to live in the benchmarks module inside this package (a split
 * package, which a module forbids); add any further hook here, with the benchmark that needs it
 * named.
 *
 * <p>Single-threaded, like the playback thread.
 */
public final class JitterBufferAccess {
    private final JitterBuffer buffer;
    private final EncodedFrame[] pool;
    private int free;
    private EncodedFrame current;

    public JitterBufferAccess(long startDelayNs, int poolFrames) {
        this.buffer = new JitterBuffer(startDelayNs);
        this.pool = new EncodedFrame[poolFrames];
        for (int i = 0; i < poolFrames; i++) {
            pool[i] = new EncodedFrame();
        }
        this.free = poolFrames;
    }

    /** Copies a received frame into a pooled frame and inserts it, as the network and playback threads do. */
    public int insert(long sequence, byte[] src, int offset, int length, long nowNs) {
        if (free == 0) {
            return JitterBuffer.OVERFLOW;
        }
        EncodedFrame frame = pool[--free];
        frame.set(sequence, src, offset, length);
        int result = buffer.insert(frame, nowNs);
        if (result != JitterBuffer.INSERTED) {
            pool[free++] = frame;
        }
        return result;
    }

    /** Starts playout when due; takes the frame whose turn it is; returns its length, or -1 when it is missing. */
    public int take(long nowNs) {
        release();
        if (!buffer.startIfDue(nowNs)) {
            return -1;
        }
        current = buffer.take();
        return current == null ? -1 : current.length;
    }

    /** The bytes of the frame last {@linkplain #take taken}, valid until the next take. */
    public byte[] data() {
        return current.data;
    }

    public int buffered() {
        return buffer.buffered();
    }

    private void release() {
        if (current != null) {
            pool[free++] = current;
            current = null;
        }
    }
}
