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

    /** Lost or late frames rebuilt from a redundant copy or in-band FEC. */
    public long framesRecovered() {
        return get(Stat.FRAMES_RECOVERED);
    }

    /** Frames that arrived after their playout time. */
    public long framesLate() {
        return get(Stat.FRAMES_LATE);
    }

    /** Frames of the peer's stream that never arrived. */
    public long framesLost() {
        return get(Stat.FRAMES_LOST);
    }

    /** Milliseconds of concealment played. */
    public long concealedMs() {
        return get(Stat.CONCEALED_MS);
    }

    /** Round-trip time in milliseconds, or 0 before it is measured. */
    public double rttMs() {
        return get(Stat.RTT_US) / 1000.0;
    }

    /** Interarrival jitter of received datagrams, milliseconds. */
    public double jitterMs() {
        return get(Stat.JITTER_US) / 1000.0;
    }

    /** Share of the peer's frames lost over the last 10 s, percent. */
    public double lossPercent() {
        return get(Stat.LOSS_PPM) / 10_000.0;
    }

    /** Share of our frames the peer reports lost, percent. */
    public double peerLossPercent() {
        return get(Stat.PEER_LOSS_PPM) / 10_000.0;
    }

    /** The current playout delay, milliseconds. */
    public long playoutDelayMs() {
        return get(Stat.PLAYOUT_DELAY_MS);
    }

    /** Bits per second sent on the wire over the last second. */
    public long sendBitrateBps() {
        return get(Stat.SEND_BITRATE_BPS);
    }

    /** Bits per second received from the wire over the last second. */
    public long receiveBitrateBps() {
        return get(Stat.RECEIVE_BITRATE_BPS);
    }

    /** Peak level of the last captured frame (after processing, before mute), dBFS; -100 for silence. */
    public double inputPeakDbfs() {
        return get(Stat.INPUT_PEAK_TENTHS_DBFS) / 10.0;
    }

    /** RMS level of the last captured frame (after processing, before mute), dBFS; -100 for silence. */
    public double inputRmsDbfs() {
        return get(Stat.INPUT_RMS_TENTHS_DBFS) / 10.0;
    }

    /** Whether the session was muted when the snapshot was taken. */
    public boolean muted() {
        return get(Stat.MUTED) != 0;
    }

    /** The gain applied to what is played, as a factor (1.0 = unchanged). */
    public double outputGain() {
        return get(Stat.OUTPUT_GAIN_PERCENT) / 100.0;
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
