package dev.viz.audio;

import dev.viz.audio.internal.FrameClock;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;

/**
 * What the file and synthetic devices share: one direction (and the refusal of the other, said
 * once here), real-time pacing against a {@link FrameClock} (or none, for the unpaced variants),
 * the open flag, and a {@link #close} that wakes a paced read or write.
 *
 * <p>A subclass supplies what is particular to it: {@link #onOpen} (acquire what it reads or
 * writes), {@link #fill} for an input (one block of samples, or {@link #END_OF_STREAM}),
 * {@link #play} for an output, and {@link #onClose}. An input is filled first and paced after (a
 * microphone delivers a block once it has been recorded); an output is paced first and played
 * after (a speaker takes a block once the previous one has played).
 *
 * <p>Threads: {@link #read} or {@link #write} from the device's one I/O thread; {@link #close} from
 * any thread. Allocates nothing per read or write.
 */
abstract class PacedDevice implements AudioDevice {
    private final String name;
    private final Direction direction;
    private final boolean paced;
    private final String otherDirectionHint;
    private final FrameClock clock;
    private volatile boolean open;
    private int channels;

    /**
     * @param name the device's spec, as {@link AudioDevices#parseInput} takes it: {@code wav:FILE}
     * @param otherDirectionHint what to use instead when the device is opened the other way, for
     *     example {@code "to discard what is played use the output null"}
     */
    PacedDevice(String name, Direction direction, boolean paced, String otherDirectionHint) {
        this.name = name;
        this.direction = direction;
        this.paced = paced;
        this.otherDirectionHint = otherDirectionHint;
        this.clock = new FrameClock(direction == Direction.INPUT);
    }

    @Override
    public final String name() {
        return name;
    }

    /** Whether reads or writes wait in real time. */
    public final boolean isPaced() {
        return paced;
    }

    @Override
    public final boolean supports(Direction direction) {
        return direction == this.direction;
    }

    /**
     * Opens the device for its one direction.
     *
     * @throws IOException for the other direction (saying what to use instead), or when the
     *     subclass cannot acquire what it reads or writes
     */
    @Override
    public final void open(Direction direction, AudioFormat format) throws IOException {
        if (direction != this.direction) {
            throw new IOException(name() + " is " + article() + "; " + otherDirectionHint);
        }
        onOpen(format);
        channels = format.channels();
        clock.start(format.sampleRateHz());
        open = true;
    }

    /** Capture thread. One block from {@link #fill}, released when it is due when paced. */
    @Override
    public final int read(short[] pcm, int offset, int samples) throws IOException {
        checkOpen(Direction.INPUT);
        int filled = fill(pcm, offset, samples);
        if (filled != END_OF_STREAM) {
            pace(samples);
        }
        return filled;
    }

    /** Playback thread. Waits for the previous block to "play" when paced, then hands this one to {@link #play}. */
    @Override
    public final void write(short[] pcm, int offset, int samples) throws IOException {
        checkOpen(Direction.OUTPUT);
        pace(samples);
        play(pcm, offset, samples);
    }

    private void checkOpen(Direction wanted) throws IOException {
        if (direction != wanted) {
            throw new IOException(name() + " is " + article());
        }
        if (!open) {
            throw new IOException(name() + " is not open");
        }
    }

    private void pace(int samples) throws IOException {
        if (paced && !clock.await(samples / channels)) {
            throw new IOException(name() + " was closed");
        }
    }

    private String article() {
        return direction == Direction.INPUT ? "an input" : "an output";
    }

    /** Times the caller fell too far behind the clock (see {@link FrameClock#MAX_LAG_NS}). */
    @Override
    public long xruns() {
        return clock.xruns();
    }

    /** Wakes a paced read or write, then lets the subclass release what it holds. Idempotent. */
    @Override
    public final void close() {
        open = false;
        clock.stop();
        onClose();
    }

    /** The opening thread: acquire what the device reads or writes (reopening releases the old first). */
    protected void onOpen(AudioFormat format) throws IOException {
    }

    /**
     * Input devices, capture thread: fill {@code samples} samples (a whole block) or return
     * {@link #END_OF_STREAM}.
     */
    protected int fill(short[] pcm, int offset, int samples) throws IOException {
        throw new IOException(name() + " is " + article());
    }

    /** Output devices, playback thread: take {@code samples} samples. */
    protected void play(short[] pcm, int offset, int samples) throws IOException {
        throw new IOException(name() + " is " + article());
    }

    /** Any thread, possibly while {@link #fill} or {@link #play} runs: release what the device holds. */
    protected void onClose() {
    }

    @Override
    public String toString() {
        return name() + (paced ? "" : " (unpaced)");
    }
}
