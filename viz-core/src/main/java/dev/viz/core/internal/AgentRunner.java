package dev.viz.core.internal;

/**
 * Runs one {@link Agent} on its own thread: {@code onStart}, then {@code doWork} and
 * {@link IdleStrategy#idle} while the session runs and the agent is not {@link Agent#DONE}, then
 * {@code onClose}. One loop and one error path for every agent: whatever an agent throws ends the
 * session as a failure ({@link Lifecycle#fail}, which tells the listener once), and
 * {@code onClose} still runs. When the runner exits it tells its {@code exitHook}, which the
 * engine uses to close what the last thread out must close.
 */
final class AgentRunner implements Runnable {
    private final Agent agent;
    private final IdleStrategy idle;
    private final SessionSignals signals;
    private final Lifecycle lifecycle;
    private final Runnable exitHook;
    private final Thread thread;

    AgentRunner(Agent agent, IdleStrategy idle, SessionSignals signals, Lifecycle lifecycle, Runnable exitHook) {
        this.agent = agent;
        this.idle = idle;
        this.signals = signals;
        this.lifecycle = lifecycle;
        this.exitHook = exitHook;
        this.thread = new Thread(this, agent.roleName());
        this.thread.setDaemon(true);
    }

    Thread thread() {
        return thread;
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        try {
            agent.onStart(System.nanoTime());
            while (signals.isRunning()) {
                int work = agent.doWork(System.nanoTime());
                if (work == Agent.DONE) {
                    break;
                }
                idle.idle(work);
            }
        } catch (RuntimeException | Error e) {
            lifecycle.fail(agent.roleName() + " failed: " + e, e);
        } finally {
            try {
                agent.onClose(System.nanoTime());
            } catch (RuntimeException | Error e) {
                lifecycle.fail(agent.roleName() + " failed to close: " + e, e);
            } finally {
                idle.close();
                exitHook.run();
            }
        }
    }
}
