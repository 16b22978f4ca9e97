package dev.viz.core.internal;

/**
 * The network thread: one duty cycle gives the transport its time ({@code doWork}, for handshakes
 * and retries), then runs the thread's four jobs, each in its own class: {@link Receiver} (payloads
 * in, frames to the playback thread), {@link Sender} (frames from the capture thread, batches out),
 * {@link Reports} (receiver reports, round-trip time, loss adaptation; driven by the timers) and
 * {@link LinkTimers} (contact, idle timeout, duration, keepalives). On its way out it says bye.
 * All of them are owned by this thread; none has a clock of its own.
 */
final class NetworkAgent implements Agent {
    private final Receiver receiver;
    private final Sender sender;
    private final LinkTimers timers;

    NetworkAgent(Receiver receiver, Sender sender, LinkTimers timers) {
        this.receiver = receiver;
        this.sender = sender;
        this.timers = timers;
    }

    @Override
    public String roleName() {
        return "viz-network";
    }

    @Override
    public void onStart(long nowNs) {
        timers.begin(nowNs);
    }

    @Override
    public int doWork(long nowNs) {
        int work = sender.transport.doWork(nowNs);
        work += receiver.poll(nowNs);
        work += sender.poll(nowNs);
        work += timers.poll(nowNs);
        sender.publishWireBytes();
        return work;
    }

    @Override
    public void onClose(long nowNs) {
        try {
            sender.sendBye(nowNs);
        } finally {
            sender.transport.close();
        }
    }
}
