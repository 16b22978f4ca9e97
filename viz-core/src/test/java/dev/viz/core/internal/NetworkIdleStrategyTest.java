package dev.viz.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The network thread's sleep on the selector, over a real UDP socket: it ends when a datagram
 * arrives, when the capture thread queues a frame and when the session ends; it does not start when
 * a frame is already waiting; and a transport that cannot be waited on, or a readable socket left
 * unread, is polled instead. The bounds on times are loose (the quiet sleep is 100 ms): they tell a
 * wake-up from a timeout, not how fast anything is.
 */
@Timeout(20)
class NetworkIdleStrategyTest {
    private static final long QUIET_SLEEP_NS = NetworkIdleStrategy.QUIET_MAX_SLEEP_MS * 1_000_000L;

    private final SessionSignals signals = new SessionSignals();
    private final AtomicBoolean frameWaiting = new AtomicBoolean();
    private DatagramChannel socket;
    private DatagramChannel peer;
    private SocketTransport transport;
    private NetworkIdleStrategy idle;

    /** The smallest transport over a socket that says it can be waited on (or not, when told). */
    private static final class SocketTransport implements Transport {
        final DatagramChannel channel;
        volatile boolean waitable = true;

        SocketTransport(DatagramChannel channel) {
            this.channel = channel;
        }

        @Override
        public boolean registerReads(Selector selector) {
            if (!waitable) {
                return false;
            }
            try {
                if (channel.keyFor(selector) == null) {
                    channel.register(selector, java.nio.channels.SelectionKey.OP_READ);
                }
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public String name() {
            return "test udp";
        }

        @Override
        public void open(Events events) {
        }

        @Override
        public int maxPayloadBytes() {
            return 1200;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public int send(byte[] buffer, int offset, int length) {
            return length;
        }

        @Override
        public int receive(byte[] buffer, int offset, int capacity) {
            try {
                return channel.receive(ByteBuffer.wrap(buffer, offset, capacity)) == null ? 0 : 1;
            } catch (IOException e) {
                return 0;
            }
        }

        @Override
        public String peer() {
            return null;
        }

        @Override
        public void close() {
        }
    }

    @BeforeEach
    void open() throws IOException {
        socket = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.configureBlocking(false);
        peer = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        transport = new SocketTransport(socket);
        idle = new NetworkIdleStrategy(transport, signals, frameWaiting::get,
                new BackoffIdleStrategy(0, 50_000L, 1_000_000L, 1_000_000L, () -> true));
        signals.networkWaker(idle::wakeup);
    }

    @AfterEach
    void close() throws IOException {
        idle.close();
        socket.close();
        peer.close();
    }

    /** Runs one idle call on another thread, does {@code during} 20 ms in, and returns how long the idle took. */
    private long timeIdle(Runnable during) throws InterruptedException {
        long[] tookNs = new long[1];
        Thread network = new Thread(() -> {
            long start = System.nanoTime();
            idle.idle(0);
            tookNs[0] = System.nanoTime() - start;
        });
        network.start();
        LockSupport.parkNanos(20_000_000L);
        during.run();
        network.join();
        return tookNs[0];
    }

    @Test
    void shouldSleepOnTheSelectorUntilTheTimerWhenNothingHappens() throws InterruptedException {
        assertNull(idle.unavailabilityCause());
        long tookNs = timeIdle(() -> { });
        assertEquals(1, idle.sleeps());
        assertEquals(0, idle.polls());
        assertTrue(tookNs >= QUIET_SLEEP_NS / 2, "slept " + tookNs / 1_000_000 + " ms, not the quiet sleep");
    }

    @Test
    void shouldWakeWhenADatagramArrives() throws InterruptedException {
        long tookNs = timeIdle(() -> {
            try {
                peer.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), socket.getLocalAddress());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(1, idle.sleeps());
        assertTrue(tookNs < QUIET_SLEEP_NS * 3 / 4, "a datagram 20 ms in ended the sleep only after " + tookNs / 1_000_000 + " ms");
        assertEquals(1, transport.receive(new byte[16], 0, 16), "the datagram is there to read");
    }

    @Test
    void shouldWakeWhenTheCaptureThreadQueuesAFrame() throws InterruptedException {
        long tookNs = timeIdle(() -> {
            frameWaiting.set(true);
            signals.wakeNetwork();
        });
        assertTrue(tookNs < QUIET_SLEEP_NS * 3 / 4, "a frame 20 ms in ended the sleep only after " + tookNs / 1_000_000 + " ms");
    }

    @Test
    void shouldWakeWhenTheSessionEnds() throws InterruptedException {
        long tookNs = timeIdle(() -> signals.end("test"));
        assertTrue(tookNs < QUIET_SLEEP_NS * 3 / 4, "the end 20 ms in ended the sleep only after " + tookNs / 1_000_000 + " ms");
    }

    @Test
    void shouldNotSleepWhenAFrameIsAlreadyWaiting() {
        frameWaiting.set(true);
        long start = System.nanoTime();
        idle.idle(0);
        assertEquals(0, idle.sleeps(), "looked at the queue after saying it sleeps");
        assertTrue(System.nanoTime() - start < QUIET_SLEEP_NS / 2);
    }

    @Test
    void shouldPollATransportThatCannotBeWaitedOn() {
        transport.waitable = false;
        idle.idle(0);
        idle.idle(0);
        assertEquals(0, idle.sleeps());
        assertEquals(2, idle.polls());
    }

    @Test
    void shouldPollRatherThanSpinWhenAReadySocketIsLeftUnread() throws IOException {
        peer.send(ByteBuffer.wrap(new byte[] {1}), socket.getLocalAddress());
        LockSupport.parkNanos(20_000_000L); // on its way through loopback
        idle.idle(0); // the selector finds the socket readable at once
        idle.idle(0); // the duty cycle between read nothing: poll, do not select again
        assertEquals(1, idle.sleeps());
        assertEquals(1, idle.polls());
        idle.idle(1); // work: the datagram was read
        assertEquals(1, transport.receive(new byte[16], 0, 16));
        long start = System.nanoTime();
        idle.idle(0);
        assertEquals(2, idle.sleeps(), "sleeps on the selector again once the socket was read");
        assertTrue(System.nanoTime() - start >= QUIET_SLEEP_NS / 2);
    }
}
