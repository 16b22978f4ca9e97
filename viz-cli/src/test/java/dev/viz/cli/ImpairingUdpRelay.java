package dev.viz.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay that makes the path between two real {@code viz} processes bad, outside both of them:
 * the caller sends to the relay's port, the relay forwards to the listener and back. Each direction
 * loses datagrams (independently, or in Gilbert–Elliott bursts), delays each by {@code delay} plus a
 * uniform {@code 0..jitter}, keeping their order (one queue per direction, as a path's queue does).
 * Seeded, so a run repeats the same losses. Test tool (the kernel here has no netem); runnable by
 * itself for the measurements in docs/realtime.md:
 *
 * <pre>java -cp viz-cli/target/test-classes dev.viz.cli.ImpairingUdpRelay LISTEN_PORT TARGET_PORT LOSS DELAY_MS JITTER_MS [BURST] [SEED]</pre>
 */
final class ImpairingUdpRelay implements AutoCloseable {
    private final DatagramSocket front;
    private final DatagramSocket back;
    private final InetSocketAddress target;
    private final Direction toTarget;
    private final Direction toSource;
    private final Thread[] threads;
    private volatile SocketAddress source;
    private volatile boolean running = true;

    /** One direction's impairment and its delivery queue. */
    private static final class Direction {
        final double lossProbability;
        final double meanBurst;
        final long delayNs;
        final long jitterNs;
        final SplittableRandom random;
        final PriorityQueue<Pending> queue = new PriorityQueue<>((a, b) -> Long.compare(a.dueNs, b.dueNs));
        final AtomicLong passed = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        boolean bad;
        long lastDueNs;

        Direction(double lossProbability, double meanBurst, long delayNs, long jitterNs, long seed) {
            this.lossProbability = lossProbability;
            this.meanBurst = meanBurst;
            this.delayNs = delayNs;
            this.jitterNs = jitterNs;
            this.random = new SplittableRandom(seed);
        }

        /** Whether the next datagram is lost: independent draws, or a two-state (good/bad) chain. */
        synchronized boolean lose() {
            if (meanBurst <= 1) {
                return random.nextDouble() < lossProbability;
            }
            // Stationary loss = p / (p + r) with r = 1 / meanBurst: p = loss * r / (1 - loss).
            double r = 1 / meanBurst;
            double p = lossProbability * r / (1 - lossProbability);
            bad = bad ? random.nextDouble() >= r : random.nextDouble() < p;
            return bad;
        }

        synchronized void schedule(byte[] data, int length, SocketAddress to, DatagramSocket via) {
            long now = System.nanoTime();
            long due = now + delayNs + (jitterNs > 0 ? random.nextLong(jitterNs + 1) : 0);
            due = Math.max(due, lastDueNs); // order kept
            lastDueNs = due;
            queue.add(new Pending(java.util.Arrays.copyOf(data, length), to, via, due));
            notifyAll();
        }

        synchronized Pending next() throws InterruptedException {
            while (true) {
                Pending head = queue.peek();
                if (head == null) {
                    wait(50);
                    return null;
                }
                long waitNs = head.dueNs - System.nanoTime();
                if (waitNs <= 0) {
                    return queue.poll();
                }
                wait(Math.max(1, waitNs / 1_000_000L), (int) (waitNs % 1_000_000L));
            }
        }
    }

    private record Pending(byte[] data, SocketAddress to, DatagramSocket via, long dueNs) {
    }

    /**
     * @param loss share of datagrams lost in each direction (0..1)
     * @param meanBurst mean run of losses (Gilbert–Elliott); 1 or less: independent losses
     */
    ImpairingUdpRelay(int listenPort, InetSocketAddress target, double loss, double meanBurst, long delayMs,
            long jitterMs, long seed) throws SocketException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        this.front = new DatagramSocket(new InetSocketAddress(loopback, listenPort));
        this.back = new DatagramSocket(new InetSocketAddress(loopback, 0));
        this.target = target;
        this.toTarget = new Direction(loss, meanBurst, delayMs * 1_000_000L, jitterMs * 1_000_000L, seed);
        this.toSource = new Direction(loss, meanBurst, delayMs * 1_000_000L, jitterMs * 1_000_000L, seed + 1);
        this.threads = new Thread[] {
            new Thread(() -> pump(front, toTarget, true), "relay-in"),
            new Thread(() -> pump(back, toSource, false), "relay-out"),
            new Thread(() -> deliver(toTarget), "relay-deliver-in"),
            new Thread(() -> deliver(toSource), "relay-deliver-out"),
        };
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
    }

    int port() {
        return front.getLocalPort();
    }

    /** Datagrams caller to listener: passed and dropped. */
    long passedToTarget() {
        return toTarget.passed.get();
    }

    long droppedToTarget() {
        return toTarget.dropped.get();
    }

    private void pump(DatagramSocket from, Direction direction, boolean fromSource) {
        byte[] buffer = new byte[65_536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (running) {
            try {
                packet.setLength(buffer.length);
                from.receive(packet);
            } catch (IOException e) {
                return;
            }
            SocketAddress to;
            DatagramSocket via;
            if (fromSource) {
                source = packet.getSocketAddress();
                to = target;
                via = back;
            } else {
                to = source;
                via = front;
                if (to == null) {
                    continue;
                }
            }
            if (direction.lose()) {
                direction.dropped.incrementAndGet();
                continue;
            }
            direction.passed.incrementAndGet();
            direction.schedule(buffer, packet.getLength(), to, via);
        }
    }

    private void deliver(Direction direction) {
        while (running) {
            try {
                Pending p = direction.next();
                if (p != null) {
                    p.via().send(new DatagramPacket(p.data(), p.data().length, p.to()));
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                if (!running) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        front.close();
        back.close();
        for (Thread t : threads) {
            t.interrupt();
        }
    }

    public static void main(String[] args) throws Exception {
        int listenPort = Integer.parseInt(args[0]);
        int targetPort = Integer.parseInt(args[1]);
        double loss = Double.parseDouble(args[2]);
        long delayMs = Long.parseLong(args[3]);
        long jitterMs = Long.parseLong(args[4]);
        double burst = args.length > 5 ? Double.parseDouble(args[5]) : 0;
        long seed = args.length > 6 ? Long.parseLong(args[6]) : 1;
        try (ImpairingUdpRelay relay = new ImpairingUdpRelay(listenPort,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), loss, burst, delayMs, jitterMs, seed)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println("relay: to listener passed "
                    + relay.passedToTarget() + " dropped " + relay.droppedToTarget())));
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
