package dev.viz.core;

/**
 * PCM frame to encoded frame and back, with concealment of a lost frame and recovery of a lost
 * frame from forward-error-correction data carried in the next one.
 *
 * <p>An instance holds one encoder and one decoder with separate state. The session calls
 * {@link #open} once, then the encode methods only from the capture thread and the decode methods
 * only from the playback thread; implementations need no locks for that. Methods return status
 * codes rather than throwing on the hot path: a negative value is an error, counted by the session.
 */
public interface Codec extends AutoCloseable {

    /** The largest encoded frame any Viz codec produces (the Opus limit for one frame). */
    int MAX_ENCODED_BYTES = 1275;

    /** A negative status: the input could not be decoded. */
    int ERROR_CORRUPT = -1;

    /** A negative status: the output buffer was too small. */
    int ERROR_BUFFER_TOO_SMALL = -2;

    /** A short name for logs and stats, for example {@code opus/concentus}. */
    String name();

    /** Prepares the encoder and decoder for {@code format}. Called once, before any other method. */
    void open(AudioFormat format);

    /**
     * Capture thread. Encodes one frame of {@code format.frameSamples()} samples starting at
     * {@code pcmOffset} into {@code out[outOffset ..]}, at most {@code maxBytes} bytes.
     *
     * @return the encoded length (0 or a few bytes during DTX silence: the session sends a frame of
     *     2 bytes or less as an empty frame, as Opus allows, and the receiver renders it with
     *     {@link #conceal}, which for Opus is its comfort noise), or a negative error status
     */
    int encode(short[] pcm, int pcmOffset, byte[] out, int outOffset, int maxBytes);

    /**
     * Playback thread. Decodes one encoded frame into {@code pcm[pcmOffset ..]}.
     *
     * @return samples per channel written (one frame), or a negative error status
     */
    int decode(byte[] in, int inOffset, int length, short[] pcm, int pcmOffset);

    /**
     * Playback thread. Produces one frame of concealment for a frame that never arrived (packet
     * loss concealment), continuing the decoder's state smoothly.
     *
     * @return samples per channel written, or a negative error status
     */
    int conceal(short[] pcm, int pcmOffset);

    /**
     * Playback thread. Rebuilds the lost frame that precedes {@code next} from the forward error
     * correction data carried in {@code next}, where the codec and the sender support it. Callers
     * then decode {@code next} normally.
     *
     * @return samples per channel written; falls back to {@link #conceal} when {@code next} carries
     *     no FEC data
     */
    default int recover(byte[] next, int nextOffset, int nextLength, short[] pcm, int pcmOffset) {
        return conceal(pcm, pcmOffset);
    }

    /**
     * Capture thread. Tells the encoder the loss the receiver reports, so it can spend bits on
     * forward error correction when they are needed and save them when they are not.
     */
    default void expectLoss(int lossPercent) {
    }

    /**
     * Capture thread. Changes the encoder's bitrate from the next frame on (Opus allows this between
     * any two frames): the session lowers it to make room in a datagram for redundant copies of
     * earlier frames when the peer reports loss, and restores it when the loss is gone.
     *
     * @return whether the codec applied it; the default applies nothing and returns false, and the
     *     session then carries only the copies that fit
     */
    default boolean targetBitrate(int bitrateBps) {
        return false;
    }

    /**
     * Any thread, before audio flows: runs the encoder and decoder enough that the first frames of
     * a real call do not pay for JIT compilation. Must leave both states as after {@link #open}.
     */
    default void warmUp() {
    }

    @Override
    default void close() {
    }
}
