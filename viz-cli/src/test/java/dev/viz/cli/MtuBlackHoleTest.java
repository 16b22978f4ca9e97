package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.testing.TestAudio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, point 3: a path MTU black hole in network namespaces. Caller and listener sit behind a
 * router whose link to the listener has MTU 1280 and which drops its own ICMP "fragmentation
 * needed", so a sender never learns the path MTU and every datagram over 1280 bytes vanishes while
 * the small handshake gets through. With the default 1200-byte limit audio flows from the start; with
 * 1400 nothing arrives, and the sender is told it is probably an MTU problem and what to do. Needs
 * root and {@code ip netns}; skips otherwise.
 */
@Timeout(120)
class MtuBlackHoleTest {
    private static final String ID = "vzr" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
    private static final String CALLER = ID + "a";
    private static final String ROUTER = ID + "r";
    private static final String LISTENER = ID + "b";
    private static final String LISTENER_IP = "10.213.2.2";
    private static boolean ready;

    @TempDir
    Path home;

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + ": " + out);
        }
        return out;
    }

    private static void in(String ns, String command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(command.split(" ")));
        run(argv.toArray(new String[0]));
    }

    @BeforeAll
    static void network() throws Exception {
        try {
            assumeTrue("0".equals(run("id", "-u").trim()), "skipped: needs root for network namespaces");
            run("ip", "netns", "add", CALLER);
        } catch (IOException e) {
            assumeTrue(false, "skipped: cannot create network namespaces: " + e.getMessage());
        }
        try {
            build();
        } catch (IOException e) {
            cleanUp();
            assumeTrue(false, "skipped: cannot build the namespace lab (ip, iptables): " + e.getMessage());
        }
        ready = true;
    }

    private static void build() throws IOException, InterruptedException {
        run("ip", "netns", "add", ROUTER);
        run("ip", "netns", "add", LISTENER);
        for (String ns : new String[] {CALLER, ROUTER, LISTENER}) {
            in(ns, "ip link set lo up");
        }
        run("ip", "link", "add", ID + "a0", "netns", CALLER, "type", "veth", "peer", "name", ID + "a1", "netns", ROUTER);
        run("ip", "link", "add", ID + "b0", "netns", LISTENER, "type", "veth", "peer", "name", ID + "b1", "netns", ROUTER);
        in(CALLER, "ip addr add 10.213.1.2/24 dev " + ID + "a0");
        in(CALLER, "ip link set " + ID + "a0 up");
        in(CALLER, "ip route add default via 10.213.1.1");
        in(ROUTER, "ip addr add 10.213.1.1/24 dev " + ID + "a1");
        in(ROUTER, "ip addr add 10.213.2.1/24 dev " + ID + "b1");
        in(ROUTER, "ip link set " + ID + "a1 up");
        in(ROUTER, "ip link set " + ID + "b1 up");
        // The narrow link, both ends, and a router that never says so.
        in(ROUTER, "ip link set " + ID + "b1 mtu 1280");
        in(ROUTER, "sysctl -qw net.ipv4.ip_forward=1");
        in(ROUTER, "iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP");
        in(LISTENER, "ip addr add " + LISTENER_IP + "/24 dev " + ID + "b0");
        in(LISTENER, "ip link set " + ID + "b0 mtu 1280");
        in(LISTENER, "ip link set " + ID + "b0 up");
        in(LISTENER, "ip route add default via 10.213.2.1");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (String ns : new String[] {CALLER, ROUTER, LISTENER}) {
            try {
                run("ip", "netns", "del", ns);
            } catch (IOException e) {
                // Not created: the test skipped before.
            }
        }
    }

    @Test
    void shouldCarryAudioFromTheStartThroughA1280MtuWithIcmpFiltered() throws Exception {
        assumeTrue(ready);
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        Path stats = home.resolve("listener.json");
        CliProcess listener = CliProcess.startIn(LISTENER, home.resolve("alice"), "listener", "-s", "9443",
                "--input", "silence", "--output", "null", "--stats", stats.toString(), "--duration", "30");
        CliProcess caller = CliProcess.startIn(CALLER, home.resolve("bob"), "caller", "-c", LISTENER_IP + ":9443",
                "--input", "wav:" + speech, "--output", "null", "--duration", "30");
        assertEquals(0, caller.await(60), caller.stderr());
        assertEquals(0, listener.await(20), listener.stderr());
        String json = Files.readString(stats);
        System.out.println("MTU 1280, ICMP filtered, default datagram limit: received "
                + CliCallTest.jsonLong(json, "framesReceived") + " of 250 frames, lost " + CliCallTest.jsonLong(json, "framesLost"));
        assertTrue(CliCallTest.jsonLong(json, "framesReceived") >= 240, "audio flowed from the start: " + json);
        assertTrue(!caller.stderr().contains("black hole"), caller.stderr());
    }

    @Test
    void shouldSayItIsProbablyTheMtuWhenLargeDatagramsVanish() throws Exception {
        assumeTrue(ready);
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        CliProcess listener = CliProcess.startIn(LISTENER, home.resolve("alice"), "listener-big", "-s", "9444",
                "--input", "silence", "--output", "null", "--duration", "12");
        CliProcess caller = CliProcess.startIn(CALLER, home.resolve("bob"), "caller-big", "-c", LISTENER_IP + ":9444",
                // Without copies (which lower the bitrate) the batches are over 1300 bytes from the start.
                "--max-datagram", "1400", "--redundancy", "off", "--input", "wav:" + speech, "--output", "null",
                "--duration", "12");
        caller.await(60);
        listener.await(20);
        String err = caller.stderr();
        System.out.println("MTU 1280, ICMP filtered, --max-datagram 1400: " + err.lines()
                .filter(l -> l.contains("black hole")).findFirst().orElse("(no warning)"));
        assertTrue(err.contains("path MTU black hole") && err.contains("--max-datagram"), err);
    }
}
