package dev.viz.core.internal;

/**
 * One job on one thread, in the Agrona manner: an {@link AgentRunner} calls {@link #onStart} once,
 * then {@link #doWork} over and over while the session runs, idling with its {@link IdleStrategy}
 * when a call did nothing, and finally {@link #onClose} once, on the same thread. An agent has no
 * loop, no thread and no error handling of its own: an exception from any of the three methods ends
 * the session through the runner's one error path. It has no clock either: the time comes in
 * {@code doWork}, so a simulated clock can step it.
 */
interface Agent {

    /** {@link #doWork} status: this agent has finished for good; its runner calls {@link #onClose} and exits. */
    int DONE = -1;

    /** Once, on the agent's thread, before the first {@link #doWork}. */
    default void onStart(long nowNs) {
    }

    /**
     * Does what there is to do now, without waiting for more (a device read or write may block:
     * the device is then the agent's clock).
     *
     * @return how much work was done (0 lets the runner idle), or {@link #DONE}
     */
    int doWork(long nowNs);

    /** Once, on the agent's thread, after the last {@link #doWork}, whether it ended normally or failed. */
    default void onClose(long nowNs) {
    }

    /** The agent's name, which is also its thread's: {@code viz-capture}, {@code viz-network}, {@code viz-playback}. */
    String roleName();
}
