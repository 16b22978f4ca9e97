package dev.viz.core;

import java.io.IOException;

/**
 * Where PCM comes from (a microphone, a WAV file, a tone) or goes to (a speaker, a WAV file,
 * nowhere).
 *
 * <p>An instance serves one direction for one session: the session calls {@link #open} once for
 * the direction it needs, then only {@link #read} (an input) or only {@link #write} (an output),
 * always from the same thread (the capture or the playback thread), and {@link #close} from any
 * thread, possibly while that thread is blocked in read or write.
 *
 * <p><b>Pacing.</b> Devices pace themselves in real time: a microphone's {@code read} returns a
 * frame every frame period, a speaker's {@code write} blocks while its buffer is full. File and
 * synthetic devices do the same by default (a WAV "microphone" delivers 40 ms per 40 ms) and may
 * offer an unpaced mode for tests. The session itself keeps no audio clock: the devices are the
 * clocks, as in a real call.
 *
 * <p><b>Errors.</b> A transient problem (an overflow, an underflow) is counted by the device and is
 * not an exception. An {@link IOException} from read or write means the device is gone; the session
 * counts it and reopens the device ({@link #close()} then {@link #open}) with backoff.
 */
public interface AudioDevice extends AutoCloseable {

    /** {@link #read} returns this when an input has nothing more to give (the end of a file). */
    int END_OF_STREAM = -1;

    /** Which way the audio flows. */
    enum Direction {
        /** PCM comes from the device: microphones, files to play into the call, tones. */
        INPUT,
        /** PCM goes to the device: speakers, files to record the call into. */
        OUTPUT
    }

    /** A short human-readable name, for logs and the status line (for example {@code wav:hello.wav}). */
    String name();

    /** Whether this device can be opened for {@code direction}. */
    boolean supports(Direction direction);

    /**
     * Opens the device for one direction at the session's format. Called once before the first
     * read or write, and again after {@link #close()} when the session reopens a failed device.
     *
     * @throws IOException when the device cannot be opened; the message says what to install,
     *     which device name to use, or which option works instead
     */
    void open(Direction direction, AudioFormat format) throws IOException;

    /**
     * Capture thread only. Fills {@code pcm[offset .. offset + samples)} with the next samples,
     * blocking as a microphone would, and returns {@code samples}; or returns
     * {@link #END_OF_STREAM}. Never returns a short read other than at the end of the stream (the
     * device pads the last frame with silence).
     */
    int read(short[] pcm, int offset, int samples) throws IOException;

    /**
     * Playback thread only. Plays {@code pcm[offset .. offset + samples)}, blocking while the device
     * has no room, as a speaker would. It may instead take the samples at once and block until the
     * device is about to need more (PulseAudio's device does). Either way it returns when the device
     * is ready for the next chunk, which the playback thread makes then: the less audio the device
     * still holds at that moment, the lower the latency.
     */
    void write(short[] pcm, int offset, int samples) throws IOException;

    /** Overflows (input) or underflows (output) the device has seen: glitches, not failures. */
    default long xruns() {
        return 0;
    }

    /** Releases the device; idempotent; unblocks a pending read or write where the backend allows. */
    @Override
    void close();
}
