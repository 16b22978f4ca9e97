package dev.viz.core;

/**
 * The figures a session keeps: counters (only ever grow) and gauges (current values). Read them
 * through a {@link SessionStats} snapshot.
 */
public enum Stat {
    /** Frames read from the input device. */
    FRAMES_CAPTURED("framesCaptured", false),
    /** Frames the codec encoded. */
    FRAMES_ENCODED("framesEncoded", false),
    /** Frames handed to the transport inside a batch that was sent. */
    FRAMES_SENT("framesSent", false),
    /** Frames dropped before sending: no peer yet, or the network thread fell behind. */
    FRAMES_NOT_SENT("framesNotSent", false),
    /** Frames taken out of received batches. */
    FRAMES_RECEIVED("framesReceived", false),
    /** Frames decoded from received data and played. */
    FRAMES_PLAYED("framesPlayed", false),
    /** Frames that never arrived in time and were concealed (Opus packet loss concealment). */
    FRAMES_CONCEALED("framesConcealed", false),
    /** Lost frames rebuilt from forward error correction carried in the next frame. */
    FRAMES_RECOVERED("framesRecovered", false),
    /** Frames that arrived after their playout time and were dropped. */
    FRAMES_LATE("framesLate", false),
    /** Frames received twice; the copy was ignored. */
    FRAMES_DUPLICATE("framesDuplicate", false),
    /** Frames dropped because the playout buffer was full. */
    FRAMES_OVERFLOW("framesOverflow", false),
    /** Datagrams handed to the transport and sent. */
    DATAGRAMS_SENT("datagramsSent", false),
    /** Datagram payloads received from the transport. */
    DATAGRAMS_RECEIVED("datagramsReceived", false),
    /** Received payloads dropped as malformed by the session (bad version, kind, or batch). */
    DATAGRAMS_MALFORMED("datagramsMalformed", false),
    /** Received datagrams the transport dropped (failed authentication, replays, strangers, rate limits). */
    DATAGRAMS_REJECTED("datagramsRejected", false),
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
    /** Nanoseconds since the session connected (0 before). */
    CONNECTED_NS("connectedNs", true);

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

    /** True for a current value, false for a counter. */
    public boolean isGauge() {
        return gauge;
    }
}
