package dev.viz.core.internal;

/**
 * What an {@link AgentRunner} does after a duty cycle, told how much work the cycle did: nothing
 * after work, and after none a wait that lets the core go (spin, yield, park). Single thread: each
 * runner has its own instance.
 */
interface IdleStrategy {

    /** Called after each duty cycle with the work it did; idles when {@code workCount} is 0. */
    void idle(int workCount);

    /** Forgets any backoff state, as after work. */
    void reset();

    /** The runner's thread, on its way out: releases what the strategy holds (a selector). */
    default void close() {
    }
}
