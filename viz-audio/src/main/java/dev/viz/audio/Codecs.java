package dev.viz.audio;

import dev.viz.audio.opus.nativelib.NativeOpus;
import dev.viz.audio.opus.nativelib.NativeOpusCodec;
import dev.viz.core.Codec;

/**
 * Chooses between the two Opus codecs: native libopus (faster, allocation-free; the system's
 * library, else the copy bundled in {@code opus-java-natives}, see {@link NativeOpus}) and Concentus
 * (pure Java, runs anywhere). Both speak the same Opus and decode each other's packets.
 */
public final class Codecs {
    /** The choices {@link #select} accepts. */
    public static final String CHOICES = "auto|native|concentus";

    private Codecs() {
    }

    /** Whether native libopus can be loaded here. */
    public static boolean isNativeAvailable() {
        return NativeOpus.isAvailable();
    }

    /**
     * {@code auto}: native libopus where it loads, Concentus otherwise; {@code native}: libopus or an
     * error saying how to install it; {@code concentus}: the pure-Java codec.
     *
     * @throws IllegalArgumentException for another choice, or {@code native} without the library
     */
    public static Codec select(String choice, int bitrateBps) {
        return select(choice, bitrateBps, NativeOpusCodec.DEFAULT_COMPLEXITY);
    }

    /**
     * Like {@link #select(String, int)} with the encoder's complexity: 0 (cheapest) to 10 (the best,
     * the default). Lower complexity costs less CPU per frame (docs/performance.md has the figures).
     *
     * @throws IllegalArgumentException also for a complexity outside 0 to 10 (the codecs check it)
     */
    public static Codec select(String choice, int bitrateBps, int complexity) {
        switch (choice) {
            case "auto":
                return NativeOpus.isAvailable() ? new NativeOpusCodec(bitrateBps, complexity, true)
                        : concentus(bitrateBps, complexity);
            case "native":
                try {
                    NativeOpus.ensureAvailability();
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException("--codec native: " + e.getMessage()
                            + " (or use --codec concentus, the pure-Java codec)", e.getCause());
                }
                return new NativeOpusCodec(bitrateBps, complexity, true);
            case "concentus":
                return concentus(bitrateBps, complexity);
            default:
                throw new IllegalArgumentException("codec '" + choice + "': use " + CHOICES);
        }
    }

    /**
     * The codec's name and where it comes from, for the CLI's first line and logs: {@code opus/native
     * (libopus 1.3.1 (system))}, {@code opus/concentus (pure Java; native libopus: not available ...)}.
     */
    public static String describe(Codec codec) {
        if (codec instanceof NativeOpusCodec) {
            return codec.name() + " (" + NativeOpus.describe() + ")";
        }
        if (codec instanceof OpusCodec) {
            return codec.name() + " (pure Java" + (NativeOpus.isAvailable() ? ")"
                    : "; native libopus: " + NativeProbe.firstLine(NativeOpus.unavailabilityCause()) + ")");
        }
        return codec.name();
    }

    private static Codec concentus(int bitrateBps, int complexity) {
        return OpusCodec.builder().bitrateBps(bitrateBps).complexity(complexity).build();
    }
}
