package dev.viz.core;

/**
 * Whether a session carries redundant copies of earlier frames in each datagram, so that the
 * receiver can rebuild a batch whose datagram was lost. A copy is a second, low-bitrate encoding
 * (6 kbit/s); while copies flow the main encoder's bitrate is lowered so that everything fits in
 * one datagram, and the receiver's playout delay grows by the time the copies come later.
 */
public enum Redundancy {
    /** Never carry copies. */
    OFF,
    /**
     * Carry copies of the previous batch from the start when a batch holds several frames (the tunnel
     * profile), and from 2.5 % reported loss; of the previous two from 25 % (7 % with one frame per
     * batch); none after 30 s of a clean path, and none over a reliable stream (the default).
     */
    AUTO,
    /**
     * Always carry copies of at least the previous batch (except over a reliable stream, where nothing
     * is lost); two batches from 25 % loss (7 % with one frame per batch).
     */
    ON
}
