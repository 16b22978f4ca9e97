package dev.viz.transport.reach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import dev.viz.transport.stream.StreamTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream that cannot keep up (the listener stops reading, as a stalled tunnel would): the
 * caller's sends never block, it holds at most one batch of its own, drops the older waiting
 * batch and counts it, and once the stream moves again the newest batch arrives.
 */
@Timeout(30)
class StreamBackpressureTest {
    @Test
    void shouldDropTheOldestWholeBatchAndCountItRatherThanQueue() throws Exception {
        int port = Ports.freeUdpAndTcp();
        ListenTransport listener = Ports.loopbackListener(port).build();
        StreamTransport caller = StreamTransport.tcp("127.0.0.1", port).build();
        try {
            listener.open(new Transport.Events() { });
            caller.open(new Transport.Events() { });
            byte[] in = new byte[65_536];
            byte[] batch = new byte[caller.maxPayloadBytes()]; // a full batch at the default datagram limit
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!listener.isReady()) {
                assertTrue(System.nanoTime() < deadline, "connect");
                caller.doWork(System.nanoTime());
                listener.doWork(System.nanoTime());
                caller.send(batch, 0, 1);
                if (listener.receive(in, 0, in.length) > 0) {
                    listener.acceptPeer();
                }
            }
            // The listener stops reading: 3,000 batches (over 4 MB) go at a stalled stream.
            long slowestSendNs = 0;
            int sent = 3_000;
            for (int i = 0; i < sent; i++) {
                batch[0] = (byte) (i >>> 8);
                batch[1] = (byte) i;
                long t0 = System.nanoTime();
                assertEquals(batch.length, caller.send(batch, 0, batch.length));
                caller.doWork(System.nanoTime());
                slowestSendNs = Math.max(slowestSendNs, System.nanoTime() - t0);
            }
            long dropped = caller.droppedBatches();
            assertTrue(dropped > sent / 2, "most batches were shed, not queued: " + dropped);
            // A send that blocked would wait for a reader that never comes (the socket buffers are full
            // after a few hundred batches): the bound only has to tell that from a thread descheduled
            // on a busy machine (CI once saw 132 ms).
            assertTrue(slowestSendNs < 1_000_000_000L, "a send took " + slowestSendNs / 1000 + " us: it must never block");
            // The listener reads again: what was in the socket buffers comes, then the newest batch.
            int received = 0;
            int last = -1;
            long until = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < until) {
                caller.doWork(System.nanoTime());
                listener.doWork(System.nanoTime());
                int n = listener.receive(in, 0, in.length);
                if (n == batch.length) {
                    received++;
                    last = (in[0] & 0xFF) << 8 | in[1] & 0xFF;
                }
            }
            System.out.println("stalled stream: sent " + sent + ", shed " + dropped + ", delivered " + received
                    + " (the socket buffers' worth and the newest), slowest send " + slowestSendNs / 1000 + " us");
            assertEquals(sent - 1, last, "the newest batch arrived last");
            assertEquals(sent, received + dropped, "every batch was either delivered or counted as shed");
        } finally {
            caller.close();
            listener.close();
        }
    }
}
