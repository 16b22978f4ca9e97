/**
 * The session engine: not API, and not exported by the {@code dev.viz.core} module.
 *
 * <p>Parts: {@link dev.viz.core.internal.SessionConfig} (immutable settings from the builder),
 * {@link dev.viz.core.internal.SessionEngine} (assembles and runs a session),
 * {@link dev.viz.core.internal.Lifecycle} (the state machine and the one place that calls the
 * listener), {@link dev.viz.core.internal.SessionSignals} (end, link up, warm, peer said bye),
 * {@link dev.viz.core.internal.AgentRunner} with an {@link dev.viz.core.internal.IdleStrategy}
 * running each {@link dev.viz.core.internal.Agent}: {@link dev.viz.core.internal.CaptureAgent},
 * {@link dev.viz.core.internal.NetworkAgent} (made of {@link dev.viz.core.internal.Receiver},
 * {@link dev.viz.core.internal.Sender}, {@link dev.viz.core.internal.Reports},
 * {@link dev.viz.core.internal.LinkTimers}) and {@link dev.viz.core.internal.PlaybackAgent}
 * ({@link dev.viz.core.internal.Playout}). {@code docs/architecture.md} follows a frame through them.
 */
package dev.viz.core.internal;
