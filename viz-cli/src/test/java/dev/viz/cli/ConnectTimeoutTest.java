package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A caller whose listener is missing says why and exits with status 1 instead of waiting for ever. */
@Timeout(120)
class ConnectTimeoutTest {
    @TempDir
    Path home;

    @Test
    void shouldSayPortUnreachableAndExitWithStatus1WhenNothingListens() throws Exception {
        int port = CliProcess.freeUdpPort(); // bound and released: nothing listens there
        long startNs = System.nanoTime();
        CliProcess caller = CliProcess.start(home, "caller", "-c", "udp://127.0.0.1:" + port, "--connect-timeout", "3s",
                "--input", "silence", "--output", "null");
        int status = caller.await(60);
        long tookMs = (System.nanoTime() - startNs) / 1_000_000L;
        String err = caller.stderr();
        assertEquals(1, status, err);
        assertTrue(err.contains("viz: port unreachable: nothing listens on UDP 127.0.0.1:" + port), err);
        assertTrue(err.contains("no answer from 127.0.0.1:" + port + " after 3 s: port unreachable"), err);
        assertTrue(err.contains("viz: call ended: no answer from 127.0.0.1:" + port), err);
        assertTrue(tookMs >= 3_000, "gave up at the timeout, not before: " + tookMs + " ms");
    }

    @Test
    void shouldNameTheLikelyCausesAndExitWithStatus1WhenTheListenerNeverAnswers() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int port = silent.getLocalPort(); // takes the datagrams, answers nothing: a forward without its way back
            CliProcess caller = CliProcess.start(home, "caller-silent", "-c", "udp://127.0.0.1:" + port,
                    "--connect-timeout", "2s", "--input", "silence", "--output", "null");
            int status = caller.await(60);
            String err = caller.stderr();
            assertEquals(1, status, err);
            assertTrue(err.contains("no answer from 127.0.0.1:" + port + " after 2 s: is the listener running and is UDP "
                    + port + " forwarded? Giving up."), err);
            assertTrue(!err.contains("port unreachable"), "nothing was unreachable: " + err);
        }
    }

    @Test
    void shouldGiveUpOverBothCarriersWhenNothingListensOnUdpOrTcp() throws Exception {
        int port = CliProcess.freeUdpPort(); // nothing on UDP; almost surely nothing on TCP either
        long startNs = System.nanoTime();
        CliProcess caller = CliProcess.start(home, "caller-auto", "-c", "127.0.0.1:" + port, "--connect-timeout", "6s",
                "--input", "silence", "--output", "null");
        int status = caller.await(60);
        long tookMs = (System.nanoTime() - startNs) / 1_000_000L;
        String err = caller.stderr();
        assertEquals(1, status, err);
        assertTrue(err.contains("viz: port unreachable: nothing listens on UDP 127.0.0.1:" + port), err);
        assertTrue(err.contains("no answer from 127.0.0.1:" + port + " over UDP or TCP after 6 s"), err);
        assertTrue(tookMs >= 6_000, "gave up at the timeout, not before: " + tookMs + " ms");
    }
}
