package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Transport;
import dev.viz.core.testing.SimClock;
import dev.viz.transport.loopback.LoopbackTransport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the impairment does to datagrams, on a simulated clock over an in-memory pair. */
class ImpairedTransportTest {
    private static final long MS = 1_000_000L;

    /** A datagram as delivered: its number, and when. */
    private record Delivery(int index, long atNs) { }

    /**
     * Sends {@code count} numbered datagrams from a (impaired by {@code spec}) to b, one every
     * {@code spacingNs}, and returns what b received, in order.
     */
    private static List<Delivery> run(String spec, int count, long spacingNs) throws IOException {
        SimClock clock = new SimClock();
        LoopbackTransport[] pair = LoopbackTransport.pair();
        ImpairedTransport a = ImpairmentSpec.parse(spec).wrap(pair[0], clock);
        Transport b = pair[1];
        a.open(new Transport.Events() { });
        b.open(new Transport.Events() { });
        byte[] out = new byte[100];
        byte[] in = new byte[100];
        List<Delivery> got = new ArrayList<>();
        long end = count * spacingNs + 12_000 * MS;
        int sent = 0;
        for (long t = 0; t < end; t += MS) {
            clock.set(t);
            if (sent < count && t >= sent * spacingNs) {
                out[0] = (byte) (sent >>> 24);
                out[1] = (byte) (sent >>> 16);
                out[2] = (byte) (sent >>> 8);
                out[3] = (byte) sent;
                assertEquals(100, a.send(out, 0, 100));
                sent++;
            }
            a.doWork(t);
            int n;
            while ((n = b.receive(in, 0, in.length)) > 0) {
                assertEquals(100, n);
                got.add(new Delivery(((in[0] & 0xFF) << 24) | ((in[1] & 0xFF) << 16) | ((in[2] & 0xFF) << 8) | (in[3] & 0xFF), t));
            }
        }
        return got;
    }

    @Test
    void shouldCarryNothingEitherWayOnceCut() throws IOException {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        ImpairedTransport a = ImpairmentSpec.NONE.wrap(pair[0], new SimClock());
        Transport b = pair[1];
        a.open(new Transport.Events() { });
        b.open(new Transport.Events() { });
        byte[] out = {1, 2, 3};
        byte[] in = new byte[16];
        assertEquals(3, a.send(out, 0, 3));
        assertEquals(3, b.receive(in, 0, in.length), "before the cut, a -> b");
        assertEquals(3, b.send(out, 0, 3));
        assertEquals(3, a.receive(in, 0, in.length), "before the cut, b -> a");

        a.cut();
        assertEquals(3, a.send(out, 0, 3), "a dead path still takes what is sent");
        assertEquals(0, b.receive(in, 0, in.length), "nothing reaches b");
        assertEquals(3, b.send(out, 0, 3));
        assertEquals(0, a.receive(in, 0, in.length), "nothing reaches a");
        assertEquals(0, b.receive(in, 0, in.length));
    }

    @Test
    void shouldLoseTheGivenShareTheSameWayForTheSameSeed() throws IOException {
        List<Delivery> first = run("loss=10%,seed=1", 10_000, MS);
        List<Delivery> again = run("loss=10%,seed=1", 10_000, MS);
        List<Delivery> other = run("loss=10%,seed=2", 10_000, MS);
        // 9000 expected; the standard deviation is 30.
        assertTrue(Math.abs(first.size() - 9_000) < 120, "delivered " + first.size());
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void shouldLoseInBurstsOfTheMeanLength() throws IOException {
        List<Delivery> got = run("loss=10%,burst=4,seed=3", 20_000, MS);
        boolean[] arrived = new boolean[20_000];
        for (Delivery d : got) {
            arrived[d.index()] = true;
        }
        int lost = 0;
        int bursts = 0;
        for (int i = 0; i < arrived.length; i++) {
            if (!arrived[i]) {
                lost++;
                if (i == 0 || arrived[i - 1]) {
                    bursts++;
                }
            }
        }
        double meanBurst = (double) lost / bursts;
        assertEquals(2_000, lost, 300);
        assertEquals(4.0, meanBurst, 0.5);
    }

    @Test
    void shouldDelayAndJitterWithoutReordering() throws IOException {
        List<Delivery> got = run("delay=50ms,jitter=40ms,seed=4", 1_000, 20 * MS);
        assertEquals(1_000, got.size());
        long minDelay = Long.MAX_VALUE;
        long maxDelay = 0;
        for (int i = 0; i < got.size(); i++) {
            Delivery d = got.get(i);
            assertEquals(i, d.index(), "in order");
            long delay = d.atNs() - d.index() * 20 * MS;
            minDelay = Math.min(minDelay, delay);
            maxDelay = Math.max(maxDelay, delay);
        }
        assertTrue(minDelay >= 50 * MS && minDelay <= 53 * MS, "min delay " + minDelay / MS);
        // Up to 40 ms of jitter, and a datagram may wait for the one before it.
        assertTrue(maxDelay >= 85 * MS && maxDelay <= 111 * MS, "max delay " + maxDelay / MS);
    }

    @Test
    void shouldReorderAndDuplicate() throws IOException {
        List<Delivery> got = run("reorder=10%,duplicate=5%,seed=5", 10_000, MS);
        int overtaken = 0;
        int doubled = 0;
        boolean[] seen = new boolean[10_000];
        for (int i = 0; i < got.size(); i++) {
            int index = got.get(i).index();
            if (seen[index]) {
                doubled++;
            }
            seen[index] = true;
            if (i > 0 && index < got.get(i - 1).index()) {
                overtaken++;
            }
        }
        for (boolean s : seen) {
            assertTrue(s, "nothing lost");
        }
        assertEquals(500, doubled, 90);
        assertEquals(900, overtaken, 150);
    }

    @Test
    void shouldImpairOnlyTheDirectionAsked() throws IOException {
        assertEquals(2_000, run("loss=50%,direction=in,seed=6", 2_000, MS).size());
        assertTrue(run("loss=50%,direction=out,seed=6", 2_000, MS).size() < 1_200);
    }

    @Test
    void shouldAllocateNothingPerDatagram() throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        SimClock clock = new SimClock();
        LoopbackTransport[] pair = LoopbackTransport.pair();
        ImpairmentSpec spec = ImpairmentSpec.parse("loss=5%,burst=2,reorder=5%,duplicate=5%,delay=10ms,jitter=30ms,seed=7");
        ImpairedTransport a = spec.wrap(pair[0], clock);
        ImpairedTransport b = spec.wrap(pair[1], clock);
        a.open(new Transport.Events() { });
        b.open(new Transport.Events() { });
        byte[] buffer = new byte[1400];
        for (int round = 0; round < 2; round++) {
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < 20_000; i++) {
                long t = (round * 20_000L + i) * MS;
                clock.set(t);
                a.send(buffer, 0, 1300);
                a.doWork(t);
                while (b.receive(buffer, 0, buffer.length) > 0) {
                    // drained
                }
            }
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            if (round == 1) {
                // Under 1 byte per datagram (see HotPathAllocationTest: the JVM's own occasional allocation).
                assertTrue(allocated < 20_000, allocated + " bytes allocated for 20 000 datagrams");
                System.out.println("impairment: " + allocated + " bytes allocated for 20 000 datagrams");
            }
        }
    }
}
