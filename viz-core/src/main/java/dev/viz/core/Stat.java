package dev.viz.core;

/**
 * The figures a session keeps: counters (only ever grow) and gauges (current values). Read them
 * through a {@link SessionStats} snapshot. Units are in the names.
 *
 * <p>Every sequence number the playout passes is exactly one of {@link #FRAMES_PLAYED},
 * {@link #FRAMES_RECOVERED}, {@link #FRAMES_CONCEALED} or {@link #FRAMES_DTX}.
 */
public enum Stat {
    /** Frames read from the input device. */
    FRAMES_CAPTURED("framesCaptured", false),
    /** Frames the codec encoded. */
    FRAMES_ENCODED("framesEncoded", false),
    /**
     * Of {@link #FRAMES_ENCODED}, frames of digital silence (all zeros: muted, a listen-only input) sent
     * as DTX without running the encoder, once it had answered such frames with DTX several in a row.
     */
    FRAMES_SILENCE_NOT_ENCODED("framesSilenceNotEncoded", false),
    /**
     * Of {@link #FRAMES_ENCODED}, frames of a quiet noise floor (no louder than frames the encoder had
     * just answered with DTX several in a row) sent as DTX without running the encoder; every few
     * such frames one is encoded to check.
     */
    FRAMES_QUIET_NOT_ENCODED("framesQuietNotEncoded", false),
    /** Frames handed to the transport inside a batch that was sent. */
    FRAMES_SENT("framesSent", false),
    /** Frames dropped before sending: no peer yet, or the network thread fell behind. */
    FRAMES_NOT_SENT("framesNotSent", false),
    /** Frames taken out of received batches, each sequence number once (duplicates not included). */
    FRAMES_RECEIVED("framesReceived", false),
    /** Frames decoded from received data and played. */
    FRAMES_PLAYED("framesPlayed", false),
    /** Frames that never arrived in time and were concealed (Opus packet loss concealment) or skipped. */
    FRAMES_CONCEALED("framesConcealed", false),
    /** Frames that never arrived in time and were rebuilt: from a redundant copy or from in-band FEC. */
    FRAMES_RECOVERED("framesRecovered", false),
    /** Of {@link #FRAMES_RECOVERED}, those rebuilt from the next frame's in-band FEC. */
    FRAMES_RECOVERED_FEC("framesRecoveredFec", false),
    /** Frames that arrived after their playout time and were dropped. */
    FRAMES_LATE("framesLate", false),
    /** Frames received twice; the copy was ignored. */
    FRAMES_DUPLICATE("framesDuplicate", false),
    /** Frames dropped because the playout buffer was full. */
    FRAMES_OVERFLOW("framesOverflow", false),
    /** Frames the peer did not send because it was silent (DTX), played as comfort noise: neither lost nor concealed. */
    FRAMES_DTX("framesDtx", false),
    /** Frames of the peer's stream that never arrived (sequence numbers missing), whatever the playout made of them. */
    FRAMES_LOST("framesLost", false),
    /**
     * Times the peer's stream started anew (the peer restarted and numbers its frames from 0 again):
     * loss and jitter tracking and the playout were reset rather than waiting for the numbers to pass
     * the old ones.
     */
    STREAM_RESTARTS("streamRestarts", false),
    /** Milliseconds of concealment played: for lost frames, and while waiting for late ones. */
    CONCEALED_MS("concealedMs", false),
    /** Milliseconds the playout added (stretched speech, doubled quiet frames) to grow its delay or follow a slow sender. */
    STRETCHED_MS("stretchedMs", false),
    /** Milliseconds the playout removed (shortened speech, dropped quiet frames) to cut its delay or follow a fast sender. */
    SHRUNK_MS("shrunkMs", false),
    /** Datagrams handed to the transport and sent. */
    DATAGRAMS_SENT("datagramsSent", false),
    /** Datagram payloads received from the transport. */
    DATAGRAMS_RECEIVED("datagramsReceived", false),
    /** Received payloads dropped as malformed by the session (bad version, kind, or batch). */
    DATAGRAMS_MALFORMED("datagramsMalformed", false),
    /**
     * Received datagrams the transport dropped, all kinds: the sum of the five
     * {@code datagramsRejected*} counters below (one per {@link Transport.Rejection}).
     */
    DATAGRAMS_REJECTED("datagramsRejected", false),
    /** Dropped by the transport as {@link Transport.Rejection#MALFORMED}: wrong length or type, bad padding. */
    DATAGRAMS_REJECTED_MALFORMED("datagramsRejectedMalformed", false),
    /** Dropped by the transport as {@link Transport.Rejection#UNAUTHENTICATED}: unknown session, failed tag. */
    DATAGRAMS_REJECTED_UNAUTHENTICATED("datagramsRejectedUnauthenticated", false),
    /** Dropped by the transport as {@link Transport.Rejection#REPLAYED}: a counter already seen or too old. */
    DATAGRAMS_REJECTED_REPLAYED("datagramsRejectedReplayed", false),
    /** Dropped by the transport as {@link Transport.Rejection#UNKNOWN_SOURCE}: not from the peer's address. */
    DATAGRAMS_REJECTED_UNKNOWN_SOURCE("datagramsRejectedUnknownSource", false),
    /** Dropped by the transport as {@link Transport.Rejection#RATE_LIMITED}: handshakes over the rate limit. */
    DATAGRAMS_REJECTED_RATE_LIMITED("datagramsRejectedRateLimited", false),
    /** Receiver reports sent to the peer (most ride in a datagram with audio). */
    REPORTS_SENT("reportsSent", false),
    /** Of {@link #REPORTS_SENT}, those sent before their second was up because frames went missing after a clean report. */
    REPORTS_EARLY("reportsEarly", false),
    /** Receiver reports received from the peer. */
    REPORTS_RECEIVED("reportsReceived", false),
    /** Payload bytes handed to the transport (audio, keepalives, reports). */
    PAYLOAD_BYTES_SENT("payloadBytesSent", false),
    /** Payload bytes received from the transport. */
    PAYLOAD_BYTES_RECEIVED("payloadBytesReceived", false),
    /** Bytes the transport put on the wire (UDP payloads, after every layer's overhead). */
    WIRE_BYTES_SENT("wireBytesSent", false),
    /** Bytes the transport took off the wire, accepted or not. */
    WIRE_BYTES_RECEIVED("wireBytesReceived", false),
    /** Encode failures. */
    ENCODE_ERRORS("encodeErrors", false),
    /** Decode failures (corrupt frames, concealed instead). */
    DECODE_ERRORS("decodeErrors", false),
    /** Device read or write failures (the device was reopened). */
    DEVICE_ERRORS("deviceErrors", false),
    /**
     * Underflows the output device reported (it ran dry: the listener heard a gap), over every open
     * of it; 0 from a device that does not count them ({@link AudioDevice#xruns()}).
     */
    OUTPUT_XRUNS("outputXruns", false),
    /** Overflows the input device reported (audio it lost before it was read), over every open of it. */
    INPUT_XRUNS("inputXruns", false),
    /** Nanoseconds since the session connected (0 before). */
    CONNECTED_NS("connectedNs", true),
    /** Round-trip time to the peer from the last receiver report, microseconds (0 until measured). */
    RTT_US("rttUs", true),
    /** Interarrival jitter of the peer's datagrams (RFC 3550 estimator), microseconds. */
    JITTER_US("jitterUs", true),
    /** Share of the peer's frames lost over the last 10 s, parts per million (10 000 = 1 %). */
    LOSS_PPM("lossPpm", true),
    /** Share of our frames the peer reports lost over its last 10 s, parts per million. */
    PEER_LOSS_PPM("peerLossPpm", true),
    /** Interarrival jitter the peer measures on our datagrams, microseconds. */
    PEER_JITTER_US("peerJitterUs", true),
    /** How long received audio waits before it is played, above the quickest frame's wait, milliseconds. */
    PLAYOUT_DELAY_MS("playoutDelayMs", true),
    /** What the adaptive playout delay aims at now, milliseconds. */
    PLAYOUT_TARGET_MS("playoutTargetMs", true),
    /** The highest playout delay since the call began, milliseconds. */
    PLAYOUT_DELAY_MAX_MS("playoutDelayMaxMs", true),
    /** Bits per second put on the wire over the last second. */
    SEND_BITRATE_BPS("sendBitrateBps", true),
    /** Bits per second taken off the wire over the last second. */
    RECEIVE_BITRATE_BPS("receiveBitrateBps", true),
    /** The bitrate the encoder runs at now: the configured one, or less to make room for redundant copies. */
    ENCODER_BITRATE_BPS("encoderBitrateBps", true),
    /** The loss the encoder is told to expect (in-band FEC), percent: 0 on a clean path. */
    FEC_LOSS_PERCENT("fecLossPercent", true),
    /** Redundant copies of earlier frames carried per batch now: 0 on a clean path. */
    REDUNDANT_COPIES("redundantCopies", true),
    /**
     * Peak level of the last captured frame, after the {@link AudioProcessor} and before mute, in
     * tenths of a dB relative to full scale (-60 = -6.0 dBFS); -1000 (-100 dBFS) for digital silence.
     */
    INPUT_PEAK_TENTHS_DBFS("inputPeakTenthsDbfs", true),
    /** RMS level of the last captured frame, measured as {@link #INPUT_PEAK_TENTHS_DBFS}, tenths of a dBFS. */
    INPUT_RMS_TENTHS_DBFS("inputRmsTenthsDbfs", true),
    /** 1 while the session is muted (it sends empty DTX frames in place of the input), else 0. */
    MUTED("muted", true),
    /** The gain applied to what is played before the output device, percent (100 = unchanged). */
    OUTPUT_GAIN_PERCENT("outputGainPercent", true);

    private final String jsonName;
    private final boolean gauge;

    Stat(String jsonName, boolean gauge) {
        this.jsonName = jsonName;
        this.gauge = gauge;
    }

    /** The key in {@link SessionStats#toJson()}. */
    public String jsonName() {
        return jsonName;
    }

    /** The counter of one kind of {@link Transport.Rejection}. */
    public static Stat of(Transport.Rejection why) {
        switch (why) {
            case MALFORMED:
                return DATAGRAMS_REJECTED_MALFORMED;
            case UNAUTHENTICATED:
                return DATAGRAMS_REJECTED_UNAUTHENTICATED;
            case REPLAYED:
                return DATAGRAMS_REJECTED_REPLAYED;
            case UNKNOWN_SOURCE:
                return DATAGRAMS_REJECTED_UNKNOWN_SOURCE;
            case RATE_LIMITED:
                return DATAGRAMS_REJECTED_RATE_LIMITED;
            default:
                throw new IllegalArgumentException("no counter for " + why);
        }
    }

    /** True for a current value, false for a counter. */
    public boolean isGauge() {
        return gauge;
    }
}
