package dev.viz.audio.internal;

import java.util.List;

/**
 * The sound device backends, in the order they are tried: the first that is available and has a
 * default device wins. PortAudio first (the original's backend, lowest latency), then Java Sound
 * (nothing to install).
 */
public final class SoundBackends {
    private static final List<SoundBackend> ALL = List.of(new PortAudioSoundBackend(), new JavaSoundSoundBackend());

    private SoundBackends() {
    }

    /** The backends in order of preference. */
    public static List<SoundBackend> all() {
        return ALL;
    }
}
