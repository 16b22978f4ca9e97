package dev.viz.audio.internal;

import java.util.List;

/**
 * The sound device backends, in the order they are tried: the first that is available and has a
 * default device wins. None exists yet; PortAudio (then Java Sound) will be listed here.
 */
public final class SoundBackends {
    private static final List<SoundBackend> ALL = List.of();

    private SoundBackends() {
    }

    /** The backends in order of preference. */
    public static List<SoundBackend> all() {
        return ALL;
    }
}
