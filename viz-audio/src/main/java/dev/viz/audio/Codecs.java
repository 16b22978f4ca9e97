package dev.viz.audio;

import dev.viz.audio.opus.nativelib.NativeOpus;
import dev.viz.audio.opus.nativelib.NativeOpusCodec;
import dev.viz.core.Codec;

/**
 * Chooses between the two Opus codecs: native libopus (faster, allocation-free, needs the system
 * library) and Concentus (pure Java, runs anywhere). Both speak the same Opus and decode each
 * other's packets.
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
        switch (choice) {
            case "auto":
                return NativeOpus.isAvailable() ? new NativeOpusCodec(bitrateBps) : concentus(bitrateBps);
            case "native":
                if (!NativeOpus.isAvailable()) {
                    throw new IllegalArgumentException("--codec native: " + NativeOpus.cause().getMessage()
                            + " (or use --codec concentus, the pure-Java codec)");
                }
                return new NativeOpusCodec(bitrateBps);
            case "concentus":
                return concentus(bitrateBps);
            default:
                throw new IllegalArgumentException("codec '" + choice + "': use " + CHOICES);
        }
    }

    private static Codec concentus(int bitrateBps) {
        return OpusCodec.builder().bitrateBps(bitrateBps).build();
    }
}
