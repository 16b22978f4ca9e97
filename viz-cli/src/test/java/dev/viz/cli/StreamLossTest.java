package dev.viz.cli;

import static dev.viz.cli.CliCallTest.jsonLong;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call over raw TCP through a router namespace whose kernel drops 2 % of the packets it forwards
 * in both directions ({@code iptables -m statistic --mode random}; this kernel has no netem), so
 * TCP really retransmits: the call goes on, the listener's playout delay stays bounded (under 1 s
 * in the tunnel profile; in low-latency within the profile's 500 ms bound: the 300 ms
 * target is not met over TCP, see docs/tunnels.md), and the caller's dropped-batch counter says
 * what it shed. Needs root and {@code ip netns}; skipped with the reason otherwise.
 */
@Timeout(120)
class StreamLossTest {
    private static final String LISTENER_ADDRESS = "10.231.2.2";

    @TempDir
    Path home;

    private final String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
    private final String a = "vzwA" + suffix;
    private final String r = "vzwR" + suffix;
    private final String b = "vzwB" + suffix;
    private boolean created;

    @BeforeEach
    void lab() throws Exception {
        Lab.requireRoot("network namespaces and iptables");
        Lab.require("ip", "iproute2");
        Lab.require("iptables", "iptables");
        try {
            created = true;
            for (String ns : List.of(a, r, b)) {
                Lab.run(true, "ip", "netns", "add", ns);
                Lab.run(true, "ip", "-n", ns, "link", "set", "lo", "up");
            }
            Lab.run(true, "ip", "link", "add", "vzwa" + suffix + "0", "netns", a, "type", "veth", "peer", "name",
                    "vzwa" + suffix + "1", "netns", r);
            Lab.run(true, "ip", "link", "add", "vzwb" + suffix + "0", "netns", b, "type", "veth", "peer", "name",
                    "vzwb" + suffix + "1", "netns", r);
            address(a, "vzwa" + suffix + "0", "10.231.1.2/24", "10.231.1.1");
            address(b, "vzwb" + suffix + "0", LISTENER_ADDRESS + "/24", "10.231.2.1");
            address(r, "vzwa" + suffix + "1", "10.231.1.1/24", null);
            address(r, "vzwb" + suffix + "1", "10.231.2.1/24", null);
            Lab.run(true, "ip", "netns", "exec", r, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            Lab.run(true, "ip", "netns", "exec", r, "iptables", "-A", "FORWARD", "-m", "statistic", "--mode", "random",
                    "--probability", "0.02", "-j", "DROP");
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("skipped: network namespaces do not work here: " + e.getMessage());
        }
    }

    private static void address(String ns, String dev, String cidr, String gateway) throws Exception {
        Lab.run(true, "ip", "-n", ns, "addr", "add", cidr, "dev", dev);
        Lab.run(true, "ip", "-n", ns, "link", "set", dev, "up");
        if (gateway != null) {
            Lab.run(true, "ip", "-n", ns, "route", "add", "default", "via", gateway);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (created) {
            for (String ns : List.of(a, r, b)) {
                Lab.run(false, "ip", "netns", "del", ns); // takes its veth ends and iptables rules with it
            }
        }
    }

    private long droppedByKernel() throws Exception {
        String out = Lab.run(true, "ip", "netns", "exec", r, "iptables", "-L", "FORWARD", "-v", "-x", "-n");
        Matcher m = Pattern.compile("^\\s*(\\d+)\\s+\\d+\\s+DROP", Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    /**
     * @param minCorrelation what the speech must keep: in low-latency each stall of a retransmission
     *     costs the frames that come later than the playout allows (dropped and concealed)
     */
    private void call(String profile, long maxDelayMs, double minCorrelation) throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        Path heard = home.resolve("heard-" + profile + ".wav");
        Path ls = home.resolve("l-" + profile + ".json");
        Path cs = home.resolve("c-" + profile + ".json");
        long droppedBefore = droppedByKernel();
        CliProcess listener = CliProcess.start(List.of("ip", "netns", "exec", b), List.of(), home.resolve("alice"),
                "listener-" + profile, "-s", "8443", "--carriers", "tcp", "--profile", profile, "--input", "silence",
                "--output", "wav:" + heard, "--stats", ls.toString(), "--duration", "40");
        Thread.sleep(1500);
        CliProcess caller = CliProcess.start(List.of("ip", "netns", "exec", a), List.of(), home.resolve("bob"),
                "caller-" + profile, "-c", "tcp://" + LISTENER_ADDRESS + ":8443", "--profile", profile,
                "--input", "wav:" + speech, "--output", "null", "--stats", cs.toString(), "--duration", "40");
        assertEquals(0, caller.await(60), "caller: " + caller.stderr());
        assertEquals(0, listener.await(30), "listener: " + listener.stderr());
        String l = Files.readString(ls);
        String c = Files.readString(cs);
        long kernelDrops = droppedByKernel() - droppedBefore;
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(TestAudio.SPEECH),
                TestAudio.samples(heard), 48_000, 2000);
        System.out.printf(Locale.ROOT, "2 %% loss on TCP, %s: the kernel dropped %d packets; caller shed %d batches"
                        + " (streams %d); listener received %d of %d frames, late %d, concealed %d, playout delay max %d ms;"
                        + " %s%n", profile, kernelDrops, jsonLong(c, "streamBatchesDropped"), jsonLong(c, "streamConnects"),
                jsonLong(l, "framesReceived"), jsonLong(c, "framesSent"), jsonLong(l, "framesLate"),
                jsonLong(l, "framesConcealed"), jsonLong(l, "playoutDelayMaxMs"), match);
        assertTrue(kernelDrops > 0, "the router really dropped packets");
        assertTrue(jsonLong(l, "playoutDelayMaxMs") < maxDelayMs, "playout delay max " + jsonLong(l, "playoutDelayMaxMs"));
        assertTrue(jsonLong(l, "framesReceived") >= jsonLong(c, "framesSent") * 9 / 10, "the call went on");
        assertTrue(match.correlation() >= minCorrelation, match.toString());
    }

    @Test
    void shouldKeepTheTunnelProfileUnderOneSecondOfPlayoutDelayThroughTwoPercentLoss() throws Exception {
        call("tunnel", 1000, 0.85);
    }

    @Test
    void shouldKeepTheLowLatencyProfileWithinItsPlayoutBoundThroughTwoPercentLoss() throws Exception {
        call("low-latency", 500, 0.6);
    }
}
