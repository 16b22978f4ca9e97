package dev.viz.core;

import dev.viz.core.batch.FrameBatcher;
import dev.viz.core.internal.SessionConfig;
import dev.viz.core.internal.SessionEngine;
import dev.viz.core.spi.AudioDeviceProvider;
import dev.viz.core.spi.CodecProvider;
import dev.viz.core.spi.CompressorProvider;
import dev.viz.core.spi.Providers;
import dev.viz.core.spi.TransportSecurityProvider;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;

/**
 * One voice call with one peer: audio from an input device is encoded, batched, compressed and
 * sent through a transport; what the peer sends is played on an output device.
 *
 * <pre>{@code
 * try (VoiceSession call = VoiceSession.builder()
 *         .transport(UdpTransport.connect("example.net", 8443))
 *         .build()) {
 *     call.start();
 *     call.awaitEnd();
 * }
 * }</pre>
 *
 * <p>A session runs three threads of its own (capture, network, playback) that hand pre-allocated
 * frames to each other through single-producer/single-consumer queues; in steady state they
 * allocate nothing and take no lock. The methods of this class may be called from any thread.
 */
public final class VoiceSession implements AutoCloseable {
    private final SessionEngine engine;

    private VoiceSession(SessionConfig config) {
        this.engine = SessionEngine.create(config, this);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the transport and starts the session's threads. The input and output devices open once
     * the peer answers, so a file input loses nothing to the wait.
     *
     * @throws IOException when the transport cannot be opened (the message says which address and why)
     * @throws IllegalStateException when called twice
     */
    public void start() throws IOException {
        engine.start();
    }

    /** Blocks until the session has ended. */
    public void awaitEnd() throws InterruptedException {
        engine.awaitEnd();
    }

    /** Blocks until the session has ended or {@code timeout} has passed; returns whether it ended. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return engine.awaitEnd(timeout.toNanos());
    }

    public SessionState state() {
        return engine.state();
    }

    /** Why the session ended, or null while it has not. */
    public String endReason() {
        return engine.endReason();
    }

    /**
     * Why the session failed (a device that never opened, a refused handshake, a crashed thread),
     * or null when it has not failed: ended by either side, the idle timeout or the duration is not
     * a failure.
     */
    public String failure() {
        return engine.failure();
    }

    /** A snapshot of every figure; cheap enough to take once a second. */
    public SessionStats stats() {
        return engine.stats();
    }

    /**
     * Mutes or unmutes the microphone, from the next captured frame; may be called before
     * {@link #start()} and from any thread. While muted the session still sends a frame every
     * frame time, an empty (DTX) one that the peer plays as silence and counts as received, so its
     * loss figures stay honest; the input level in the stats ({@link Stat#INPUT_PEAK_TENTHS_DBFS})
     * still shows what the microphone hears. Costs the capture thread one volatile read a frame.
     */
    public void mute(boolean muted) {
        engine.mute(muted);
    }

    /** Whether the session is muted. */
    public boolean isMuted() {
        return engine.isMuted();
    }

    /**
     * Sets the gain applied to what is played, from the next chunk played; any thread, also before
     * {@link #start()}. 1.0 leaves it unchanged, 0.5 halves the amplitude (-6 dB), 0 is silent;
     * clamped to [0, 4] (+12 dB), samples saturate at full scale. The echo canceller sees the audio
     * after the gain. Shown in the stats as {@link Stat#OUTPUT_GAIN_PERCENT}.
     *
     * @throws IllegalArgumentException when {@code gain} is NaN
     */
    public void outputGain(double gain) {
        engine.outputGain(gain);
    }

    /** The output gain in effect (after clamping); 1.0 unless changed. */
    public double outputGain() {
        return engine.outputGain();
    }

    /** The format audio runs at. */
    public AudioFormat format() {
        return engine.format();
    }

    /** Frames per datagram. */
    public int framesPerBatch() {
        return engine.framesPerBatch();
    }

    /** The outermost transport (the secure layer, when the builder added it). */
    public Transport transport() {
        return engine.transport();
    }

    /**
     * Ends the call: tells the peer ({@code bye}), stops every thread within a second, and releases
     * the transport and the devices. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Builds a {@link VoiceSession}. Every part has a default except the transport: the builder
     * takes the codec, compressor and devices from the modules on the class path (viz-audio) and,
     * unless told otherwise, wraps the transport in the secure layer (viz-transport). Not
     * thread-safe; {@link #build()} validates everything and says what is wrong.
     *
     * <p><b>Building more than once.</b> {@link #build()} never changes the builder: it fills the
     * defaults into the session's own immutable configuration. The defaults it makes (codec,
     * compressor, batcher, devices, the secure layer around the transport) are new for each session.
     * A part <em>you</em> supply (a transport, a codec, a device...) is a single stateful instance and
     * belongs to the session built with it: building again while the builder still holds such a part
     * throws an {@link IllegalStateException} naming it, rather than let two sessions share it. Set
     * a new instance (always at least a new {@link #transport}) and build again.
     */
    public static final class Builder {
        /** Frames per datagram by default: few packets, so tunnels do not ban the user. */
        public static final int DEFAULT_FRAMES_PER_BATCH = 8;
        public static final int DEFAULT_FRAME_MS = 40;
        public static final int DEFAULT_BITRATE_BPS = 32_000;
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(28);
        public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(10);
        /** The most frames one batch may carry. */
        public static final int MAX_FRAMES_PER_BATCH = 32;
        /** The bitrate of the redundant copies of earlier frames a batch carries under loss. */
        public static final int REDUNDANT_BITRATE_BPS = 6_000;

        private AudioDevice input;
        private AudioDevice output;
        private AudioProcessor processor = AudioProcessor.NONE;
        private Codec codec;
        private Compressor compressor;
        private Batcher batcher;
        private Transport transport;
        private SessionListener listener = SessionListener.NONE;
        private Profile profile = Profile.TUNNEL;
        private int frameMs = DEFAULT_FRAME_MS;
        private int framesPerBatch = DEFAULT_FRAMES_PER_BATCH;
        private long maxPlayoutDelayNs = Profile.TUNNEL.maxPlayoutDelay().toNanos();
        private Redundancy redundancy = Redundancy.AUTO;
        private Codec redundancyCodec;
        private int bitrateBps = DEFAULT_BITRATE_BPS;
        private long durationNs;
        private long idleTimeoutNs = DEFAULT_IDLE_TIMEOUT.toNanos();
        private long keepaliveIntervalNs = DEFAULT_KEEPALIVE_INTERVAL.toNanos();
        private boolean endWhenInputEnds = true;
        private boolean allowPlaintext;
        /** The parts supplied to a session already built from this builder. */
        private final Set<Object> claimed = Collections.newSetFromMap(new IdentityHashMap<>());

        private Builder() {
        }

        /** Where the call's audio comes from; the default microphone when not set. */
        public Builder input(AudioDevice input) {
            this.input = input;
            return this;
        }

        /** Where the peer's audio goes; the default speaker when not set. */
        public Builder output(AudioDevice output) {
            this.output = output;
            return this;
        }

        /**
         * The processing between the input device and the encoder (echo cancellation, noise
         * suppression...): {@link AudioProcessor#process} runs on the capture thread on each frame
         * before it is encoded, {@link AudioProcessor#played} on the playback thread after each write
         * to the output device. {@link AudioProcessor#NONE} (the default) leaves audio untouched.
         */
        public Builder processor(AudioProcessor processor) {
            this.processor = Objects.requireNonNull(processor, "processor");
            return this;
        }

        /** The codec; Opus (viz-audio) at {@link #bitrateBps} when not set. */
        public Builder codec(Codec codec) {
            this.codec = codec;
            return this;
        }

        /** The compressor over each batch; Zstandard (viz-audio) when not set. */
        public Builder compressor(Compressor compressor) {
            this.compressor = compressor;
            return this;
        }

        /** The batch format; {@link FrameBatcher} when not set. */
        public Builder batcher(Batcher batcher) {
            this.batcher = batcher;
            return this;
        }

        /** How datagrams reach the peer. Required. */
        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        public Builder listener(SessionListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The real-time profile: {@link Profile#TUNNEL} (the default: 40 ms frames, 8 per datagram) or
         * {@link Profile#LOW_LATENCY} (20 ms frames, one per datagram). Sets the frame duration, the
         * frames per datagram and the playout delay's bounds; call it before {@link #frameMs},
         * {@link #framesPerBatch} or {@link #maxPlayoutDelay} to change one of them.
         */
        public Builder profile(Profile profile) {
            this.profile = Objects.requireNonNull(profile, "profile");
            this.frameMs = profile.frameMs();
            this.framesPerBatch = profile.framesPerBatch();
            this.maxPlayoutDelayNs = profile.maxPlayoutDelay().toNanos();
            return this;
        }

        /**
         * The most the adaptive playout delay may grow to, whatever the network does; the profile's
         * (1.5 s for tunnel, 0.5 s for low-latency) by default.
         */
        public Builder maxPlayoutDelay(Duration maxPlayoutDelay) {
            this.maxPlayoutDelayNs = maxPlayoutDelay.toNanos();
            return this;
        }

        /**
         * Whether batches carry redundant low-bitrate copies of earlier frames, to rebuild a batch whose
         * datagram was lost: {@link Redundancy#AUTO} (the default) carries them from the start, drops them
         * after 10 s of a clean path and turns them on again when the peer reports loss.
         */
        public Builder redundancy(Redundancy redundancy) {
            this.redundancy = Objects.requireNonNull(redundancy, "redundancy");
            return this;
        }

        /**
         * The encoder of the redundant copies, at a low bitrate ({@value #REDUNDANT_BITRATE_BPS} bit/s);
         * its frames must decode with {@link #codec}'s decoder. By default the codec provider's, when
         * the main codec is the provider's too; with a {@link #codec} of your own and none here, no
         * copies are sent.
         */
        public Builder redundancyCodec(Codec redundancyCodec) {
            this.redundancyCodec = redundancyCodec;
            return this;
        }

        /** Frame duration: 10, 20, 40 (default) or 60 ms. */
        public Builder frameMs(int frameMs) {
            this.frameMs = frameMs;
            return this;
        }

        /** Frames per datagram, 1 to {@value #MAX_FRAMES_PER_BATCH}; 8 by default. */
        public Builder framesPerBatch(int framesPerBatch) {
            this.framesPerBatch = framesPerBatch;
            return this;
        }

        /** The default codec's bitrate, 6000 to 510000 bit/s; 32000 by default. Ignored with {@link #codec}. */
        public Builder bitrateBps(int bitrateBps) {
            this.bitrateBps = bitrateBps;
            return this;
        }

        /** Ends the call this long after it connects; zero (the default) for no limit. */
        public Builder duration(Duration duration) {
            this.durationNs = duration.toNanos();
            return this;
        }

        /** Ends the call when nothing valid has come from the peer for this long; 28 s by default. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeoutNs = idleTimeout.toNanos();
            return this;
        }

        /** Sends a keepalive when nothing else was sent for this long; 10 s by default. */
        public Builder keepaliveInterval(Duration keepaliveInterval) {
            this.keepaliveIntervalNs = keepaliveInterval.toNanos();
            return this;
        }

        /**
         * Whether the call ends (with a {@code bye} to the peer) when the input has nothing more to
         * give, as a WAV file input does at its end; true by default. When false, the session keeps
         * the call up and sends nothing.
         */
        public Builder endWhenInputEnds(boolean endWhenInputEnds) {
            this.endWhenInputEnds = endWhenInputEnds;
            return this;
        }

        /**
         * Sends audio in the clear when the transport is not secure. Without this, the builder wraps
         * a plain transport in the secure layer. Anyone on the path can then listen: only for tests
         * on loopback and for measuring the secure layer's cost.
         */
        public Builder allowPlaintext(boolean allowPlaintext) {
            this.allowPlaintext = allowPlaintext;
            return this;
        }

        /**
         * Validates the settings, fills in the defaults and builds the session.
         *
         * @throws IllegalStateException naming what is missing or wrong, and what to add
         * @throws IllegalArgumentException for a value out of range
         */
        public VoiceSession build() {
            if (transport == null) {
                throw new IllegalStateException(
                        "no transport: call transport(UdpTransport.listen(port)) or transport(UdpTransport.connect(host, port))");
            }
            checkNotClaimed();
            AudioFormat format = AudioFormat.mono48k(frameMs);
            if (framesPerBatch < 1 || framesPerBatch > MAX_FRAMES_PER_BATCH) {
                throw new IllegalArgumentException(
                        "frames per batch " + framesPerBatch + ": use 1 to " + MAX_FRAMES_PER_BATCH);
            }
            if (codec == null && (bitrateBps < 6_000 || bitrateBps > 510_000)) {
                throw new IllegalArgumentException("bitrate " + bitrateBps + " bit/s: use 6000 to 510000");
            }
            if (durationNs < 0) {
                throw new IllegalArgumentException("duration must not be negative");
            }
            if (idleTimeoutNs <= 0 || keepaliveIntervalNs <= 0 || keepaliveIntervalNs >= idleTimeoutNs) {
                throw new IllegalArgumentException("keepalive interval must be positive and below the idle timeout");
            }
            if (maxPlayoutDelayNs < 2 * format.frameNs() || maxPlayoutDelayNs > 10_000_000_000L) {
                throw new IllegalArgumentException("max playout delay " + maxPlayoutDelayNs / 1_000_000 + " ms: use "
                        + 2 * frameMs + " ms (two frames) to 10 s");
            }
            Batcher theBatcher = batcher == null ? new FrameBatcher() : batcher;
            if (framesPerBatch > theBatcher.maxFramesPerBatch()) {
                throw new IllegalArgumentException("frames per batch " + framesPerBatch + ": this batcher holds at most "
                        + theBatcher.maxFramesPerBatch());
            }
            Codec theCodec = codec;
            Codec copyCodec = redundancyCodec;
            CodecProvider codecs = null;
            if (theCodec == null) {
                codecs = Providers.best(CodecProvider.class, CodecProvider::priority);
                if (codecs == null) {
                    throw new IllegalStateException("no codec: add dev.viz:viz-audio to the class path or call codec(...)");
                }
            }
            if (redundancy == Redundancy.ON && copyCodec == null && codecs == null) {
                throw new IllegalStateException("redundancy ON needs an encoder for the copies: call redundancyCodec(...)"
                        + " with a low-bitrate codec whose frames your codec decodes");
            }
            CompressorProvider compressors = null;
            if (compressor == null) {
                compressors = Providers.best(CompressorProvider.class, CompressorProvider::priority);
                if (compressors == null) {
                    throw new IllegalStateException(
                            "no compressor: add dev.viz:viz-audio to the class path or call compressor(...)");
                }
            }
            AudioDevice in = input;
            AudioDevice out = output;
            if (in == null || out == null) {
                AudioDeviceProvider devices = Providers.best(AudioDeviceProvider.class, AudioDeviceProvider::priority);
                if (devices == null) {
                    throw new IllegalStateException("no audio devices: add dev.viz:viz-audio to the class path,"
                            + " or call input(...) and output(...)");
                }
                try {
                    if (in == null) {
                        in = devices.defaultInput();
                    }
                    if (out == null) {
                        out = devices.defaultOutput();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
            if (!in.supports(AudioDevice.Direction.INPUT)) {
                throw new IllegalStateException(in.name() + " cannot be an input");
            }
            if (!out.supports(AudioDevice.Direction.OUTPUT)) {
                throw new IllegalStateException(out.name() + " cannot be an output");
            }
            Transport theTransport = transport;
            if (!theTransport.isSecure() && !allowPlaintext) {
                TransportSecurityProvider security =
                        Providers.best(TransportSecurityProvider.class, TransportSecurityProvider::priority);
                if (security == null) {
                    throw new IllegalStateException("transport " + theTransport.name() + " is not encrypted and no secure"
                            + " layer is on the class path: add dev.viz:viz-transport, or call allowPlaintext(true)"
                            + " to send audio in the clear");
                }
                try {
                    theTransport = security.secure(theTransport);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot set up the secure layer: " + e.getMessage(), e);
                }
            }
            if (codecs != null) {
                theCodec = codecs.newCodec(bitrateBps);
                if (redundancy != Redundancy.OFF && copyCodec == null) {
                    copyCodec = codecs.newCodec(REDUNDANT_BITRATE_BPS);
                }
            }
            if (redundancy == Redundancy.OFF) {
                copyCodec = null;
            }
            Compressor theCompressor = compressor != null ? compressor : compressors.newCompressor();
            SessionConfig config = new SessionConfig(format, framesPerBatch, in, out, processor, theCodec, copyCodec,
                    theCompressor, theBatcher, theTransport, listener, durationNs, idleTimeoutNs, keepaliveIntervalNs,
                    endWhenInputEnds, profile.playoutMargin().toNanos(), maxPlayoutDelayNs, redundancy, bitrateBps,
                    REDUNDANT_BITRATE_BPS);
            claim(transport, input, output, codec, redundancyCodec, compressor, batcher, processor);
            return new VoiceSession(config);
        }

        /** Throws when a part this builder holds already belongs to a session built from it. */
        private void checkNotClaimed() {
            Object[] parts = {transport, input, output, codec, redundancyCodec, compressor, batcher, processor};
            String[] names = {"transport", "input", "output", "codec", "redundancyCodec", "compressor", "batcher",
                "processor"};
            for (int i = 0; i < parts.length; i++) {
                if (parts[i] != null && claimed.contains(parts[i])) {
                    throw new IllegalStateException("the " + names[i] + " " + describe(parts[i])
                            + " already belongs to a session built from this builder: call " + names[i]
                            + "(...) with a new instance before building another session");
                }
            }
        }

        private void claim(Object... parts) {
            for (Object part : parts) {
                // The pass-through processor has no state: any number of sessions may share it.
                if (part != null && part != AudioProcessor.NONE) {
                    claimed.add(part);
                }
            }
        }

        private static String describe(Object part) {
            if (part instanceof Transport t) {
                return t.name();
            }
            if (part instanceof AudioDevice d) {
                return d.name();
            }
            if (part instanceof Codec c) {
                return c.name();
            }
            if (part instanceof AudioProcessor p) {
                return p.name();
            }
            return part.getClass().getSimpleName();
        }
    }
}
