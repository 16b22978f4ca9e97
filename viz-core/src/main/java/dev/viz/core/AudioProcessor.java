package dev.viz.core;

/**
 * Processes captured audio between the input device and the encoder: echo cancellation, noise
 * suppression, gain control, voice activity. It also sees what the output device actually played
 * (the echo reference), which echo cancellation needs.
 *
 * <p><b>Threads.</b> The session calls {@link #open} once before audio flows and {@link #close}
 * once after every thread has stopped. {@link #process} runs on the capture thread only,
 * {@link #played} on the playback thread only; the two run concurrently, so an implementation hands
 * the reference from one to the other without locks (a single-producer single-consumer ring, for
 * example). In steady state neither allocates, blocks or throws.
 *
 * <p>The default is {@link #NONE}, which passes audio through untouched: files, tones and tests stay
 * exact.
 */
public interface AudioProcessor extends AutoCloseable {

    /** {@link #process} result bit: the frame holds voice (when voice activity detection is on). */
    int VOICE = 1;

    /** Passes audio through untouched and reports every frame as voice. */
    AudioProcessor NONE = new AudioProcessor() {
        @Override
        public void open(AudioFormat format) {
        }

        @Override
        public int process(short[] pcm, int offset, long capturedAtNs) {
            return VOICE;
        }

        @Override
        public void played(short[] pcm, int offset, int samples, long playedAtNs) {
        }

        @Override
        public String name() {
            return "none";
        }

        @Override
        public void close() {
        }
    };

    /** Prepares for frames of {@code format.frameSamples()} samples. Called once. */
    void open(AudioFormat format);

    /**
     * Capture thread: processes one captured frame of {@code format.frameSamples()} samples in place.
     *
     * @param capturedAtNs when the frame's last sample was read from the device ({@link System#nanoTime()} scale)
     * @return a set of result bits ({@link #VOICE})
     */
    int process(short[] pcm, int offset, long capturedAtNs);

    /**
     * Playback thread: {@code samples} samples were just written to the output device. The
     * implementation copies what it needs; the array is reused after the call returns.
     *
     * @param playedAtNs when they were handed to the device ({@link System#nanoTime()} scale)
     */
    void played(short[] pcm, int offset, int samples, long playedAtNs);

    /** A short description for logs and the status line, for example {@code speexdsp aec+ns+agc}. */
    String name();

    /** Releases native state; idempotent. */
    @Override
    void close();
}
