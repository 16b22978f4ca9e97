package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a user reads while a call waits or runs (issue 13, point 6). */
@Timeout(60)
class CliStatusTest {
    @TempDir
    Path home;

    private static void awaitText(CliProcess viz, String text, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!viz.stderr().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    @Test
    void shouldSayAnIdleListenerWaitsForACallerAndTakeA1200ByteLimit() throws Exception {
        int port = CliProcess.freeUdpPort();
        CliProcess listener = CliProcess.start(home, "idle", "-s", String.valueOf(port), "--max-datagram", "1200",
                "--input", "silence", "--output", "null");
        try {
            awaitText(listener, " sent 0 played 0 ", 20_000);
            String err = listener.stderr();
            assertTrue(err.contains("waiting for a caller 0:00 ") && err.contains(" sent 0 "), err);
            // The status line, not the engine's log (which names the session's CONNECTING state).
            assertFalse(java.util.Arrays.stream(err.split("[\r\n]+")).anyMatch(l -> l.startsWith("connecting")),
                    "a listener's status line does not say it connects: " + err);
            // Not on a terminal (a log), the wait is said once, not once a second.
            Thread.sleep(3_500);
            String later = listener.stderr();
            assertEquals(1, java.util.Arrays.stream(later.split("[\r\n]+")).filter(l -> l.startsWith("waiting for a caller"))
                    .count(), later);
        } finally {
            listener.kill();
        }
    }

    @Test
    void shouldPrintAnIpv6PeerInBracketsAndCompressed() throws Exception {
        boolean ipv6;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            ipv6 = true;
        } catch (java.io.IOException e) {
            ipv6 = false;
        }
        assumeTrue(ipv6, "skipped: no IPv6 loopback (::1) on this machine");
        int port = CliProcess.freeUdpPort();
        CliProcess listener = CliProcess.start(home.resolve("alice"), "v6-listener", "-s", String.valueOf(port),
                "--input", "silence", "--output", "null", "--duration", "2");
        CliProcess caller = CliProcess.start(home.resolve("bob"), "v6-caller", "-c", "[::1]:" + port,
                "--input", "silence", "--output", "null", "--duration", "2");
        assertEquals(0, caller.await(40), caller.stderr());
        assertEquals(0, listener.await(20), listener.stderr());
        assertTrue(listener.stderr().matches("(?s).*viz: peer \\[::1\\]:\\d+\n.*"), listener.stderr());
        assertTrue(caller.stderr().contains("viz: peer [::1]:" + port), caller.stderr());
        assertFalse(listener.stderr().contains("0:0:0:0:0:0:0:1"), listener.stderr());
    }
}
