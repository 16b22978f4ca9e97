package dev.viz.core;

import java.util.Arrays;

/**
 * An immutable snapshot of a session's {@link Stat figures}, taken by {@link VoiceSession#stats()}.
 * Each value is read atomically; the set is not a single atomic cut, so two counters read from
 * different threads may be a frame apart.
 */
public final class SessionStats {
    private static final Stat[] STATS = Stat.values();

    private final long[] values;
    private final SessionState state;
    private final String peer;
    private final String verificationCode;

    /** For the engine; users get snapshots from {@link VoiceSession#stats()}. */
    public SessionStats(long[] values, SessionState state, String peer, String verificationCode) {
        if (values.length != STATS.length) {
            throw new IllegalArgumentException("expected " + STATS.length + " values");
        }
        this.values = values.clone();
        this.state = state;
        this.peer = peer;
        this.verificationCode = verificationCode;
    }

    public long get(Stat stat) {
        return values[stat.ordinal()];
    }

    public SessionState state() {
        return state;
    }

    /** The peer's address, or null before first contact. */
    public String peer() {
        return peer;
    }

    /** The verification code of a secure session, or null. */
    public String verificationCode() {
        return verificationCode;
    }

    public long framesSent() {
        return get(Stat.FRAMES_SENT);
    }

    public long framesReceived() {
        return get(Stat.FRAMES_RECEIVED);
    }

    public long framesPlayed() {
        return get(Stat.FRAMES_PLAYED);
    }

    public long framesConcealed() {
        return get(Stat.FRAMES_CONCEALED);
    }

    public long datagramsMalformed() {
        return get(Stat.DATAGRAMS_MALFORMED);
    }

    /** One JSON object with every figure, plus {@code state}, {@code peer} and {@code verificationCode}. */
    public String toJson() {
        StringBuilder json = new StringBuilder(1024).append("{\n");
        json.append("  \"state\": \"").append(state).append("\",\n");
        json.append("  \"peer\": ").append(quoteOrNull(peer)).append(",\n");
        json.append("  \"verificationCode\": ").append(quoteOrNull(verificationCode));
        for (Stat stat : STATS) {
            json.append(",\n  \"").append(stat.jsonName()).append("\": ").append(values[stat.ordinal()]);
        }
        return json.append("\n}\n").toString();
    }

    private static String quoteOrNull(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder q = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                q.append('\\').append(c);
            } else if (c < 0x20) {
                q.append(String.format("\\u%04x", (int) c));
            } else {
                q.append(c);
            }
        }
        return q.append('"').toString();
    }

    @Override
    public String toString() {
        return "SessionStats" + Arrays.toString(values);
    }
}
