/**
 * The session engine: not API. A frame travels microphone → {@link dev.viz.core.internal.CaptureAgent}
 * (read, encode) → SPSC queue → {@link dev.viz.core.internal.NetworkAgent} (batch, compress, send;
 * receive, unbatch) → SPSC queue → {@link dev.viz.core.internal.PlaybackAgent} ({@link
 * dev.viz.core.internal.JitterBuffer}, decode or conceal) → speaker. {@link
 * dev.viz.core.internal.SessionEngine} starts and stops the three threads.
 */
package dev.viz.core.internal;
