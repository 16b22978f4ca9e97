package dev.viz.core;

import java.time.Duration;
import java.util.Locale;

/**
 * A set of real-time settings for a kind of path, chosen with {@link VoiceSession.Builder#profile}
 * (or {@code --profile} on the command line).
 */
public enum Profile {
    /**
     * Through tunnels, relays and NATs (the default): 40 ms frames, 8 per datagram, so a call sends
     * about three datagrams a second and no tunnel takes it for a flood. Batching costs latency: the
     * first frame of a batch waits 280 ms for the last, so the playout delay starts near 300 ms.
     */
    TUNNEL("tunnel", 40, 8, Duration.ofMillis(20), Duration.ofMillis(1500)),
    /**
     * Direct paths where packet rate is no concern: 20 ms frames, one per datagram (50 a second),
     * playout delay from a few tens of milliseconds.
     */
    LOW_LATENCY("low-latency", 20, 1, Duration.ofMillis(7), Duration.ofMillis(500));

    private final String cliName;
    private final int frameMs;
    private final int framesPerBatch;
    private final Duration playoutMargin;
    private final Duration maxPlayoutDelay;

    Profile(String cliName, int frameMs, int framesPerBatch, Duration playoutMargin, Duration maxPlayoutDelay) {
        this.cliName = cliName;
        this.frameMs = frameMs;
        this.framesPerBatch = framesPerBatch;
        this.playoutMargin = playoutMargin;
        this.maxPlayoutDelay = maxPlayoutDelay;
    }

    /** The profile's name on the command line: {@code tunnel} or {@code low-latency}. */
    public String cliName() {
        return cliName;
    }

    public int frameMs() {
        return frameMs;
    }

    public int framesPerBatch() {
        return framesPerBatch;
    }

    /** What the playout adds to the measured arrival spread, as safety. */
    public Duration playoutMargin() {
        return playoutMargin;
    }

    /** The most the playout delay may grow to, whatever the network does. */
    public Duration maxPlayoutDelay() {
        return maxPlayoutDelay;
    }

    /**
     * The profile named {@code name} ({@code tunnel}, {@code low-latency}; case and {@code _} versus
     * {@code -} do not matter).
     *
     * @throws IllegalArgumentException naming the valid profiles
     */
    public static Profile parse(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Profile profile : values()) {
            if (profile.cliName.equals(key)) {
                return profile;
            }
        }
        throw new IllegalArgumentException("profile '" + name + "': use tunnel or low-latency");
    }
}
