package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.AudioProcessor;
import dev.viz.core.Batcher;
import dev.viz.core.Codec;
import dev.viz.core.Compressor;
import dev.viz.core.Redundancy;
import dev.viz.core.SessionListener;
import dev.viz.core.Transport;

/**
 * Everything one session runs with, validated and with every default filled in: what
 * {@link dev.viz.core.VoiceSession.Builder#build()} produces and the engine consumes. Immutable (the
 * parts it names are the session's own from then on). Public only so that {@code dev.viz.core} can
 * build it; the package is not exported.
 *
 * @param copyCodec the encoder of redundant copies, or null for none (then no copies are sent)
 * @param bitrateBps the main encoder's configured bitrate
 * @param copyBitrateBps the copy encoder's bitrate
 * @param durationNs the call's length limit once connected; 0 for none
 */
public record SessionConfig(
        AudioFormat format, int framesPerBatch,
        AudioDevice input, AudioDevice output, AudioProcessor processor,
        Codec codec, Codec copyCodec, Compressor compressor, Batcher batcher, Transport transport,
        SessionListener listener,
        long durationNs, long idleTimeoutNs, long keepaliveIntervalNs, boolean endWhenInputEnds,
        long playoutMarginNs, long maxPlayoutDelayNs, Redundancy redundancy, int bitrateBps, int copyBitrateBps) {
}
