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
 * TCP really retransmits (the caller's TCP retransmission counter says so): the call goes on with
 * every frame delivered, the listener's playout knows it runs over a stream and waits out the
 * retransmission stalls without letting them raise its delay: under 300 ms in low-latency, under
 * 1 s in tunnel, and back near its calm-path value at the end of the call. The caller's
 * dropped-batch counter says what it shed. Needs root and {@code ip netns}; skipped with the reason
 * otherwise.
 *
 * <p>A 10 s tunnel call sends only about 31 audio segments: 2 % at random hits none of them in some
 * runs and four in others. That test drops exactly one of the caller's audio segments, the 10th
 * ({@code --mode nth}), and the random 2 % everything else.
 */
@Timeout(120)
class StreamLossTest {
    private static final String LISTENER_ADDRESS = "10.231.2.2";

    @TempDir
    Path home;

    private final String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
    private final String a = "vzsA" + suffix;
    private final String r = "vzsR" + suffix;
    private final String b = "vzsB" + suffix;
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
            Lab.run(true, "ip", "link", "add", "vzsa" + suffix + "0", "netns", a, "type", "veth", "peer", "name",
                    "vzsa" + suffix + "1", "netns", r);
            Lab.run(true, "ip", "link", "add", "vzsb" + suffix + "0", "netns", b, "type", "veth", "peer", "name",
                    "vzsb" + suffix + "1", "netns", r);
            address(a, "vzsa" + suffix + "0", "10.231.1.2/24", "10.231.1.1");
            address(b, "vzsb" + suffix + "0", LISTENER_ADDRESS + "/24", "10.231.2.1");
            address(r, "vzsa" + suffix + "1", "10.231.1.1/24", null);
            address(r, "vzsb" + suffix + "1", "10.231.2.1/24", null);
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
        long drops = 0;
        while (m.find()) {
            drops += Long.parseLong(m.group(1));
        }
        return drops;
    }

    /** TCP segments retransmitted by the caller's namespace (its own counters: {@code /proc/net/snmp}). */
    private long callerRetransmissions() throws Exception {
        String[] lines = Lab.run(true, "ip", "netns", "exec", a, "cat", "/proc/net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Tcp:") && lines[i + 1].startsWith("Tcp:")) {
                List<String> names = List.of(lines[i].trim().split("\\s+"));
                return Long.parseLong(lines[i + 1].trim().split("\\s+")[names.indexOf("RetransSegs")]);
            }
        }
        throw new AssertionError("no Tcp counters in /proc/net/snmp");
    }

    /**
     * @param maxDelayMs the bound on the listener's playout delay, all call long
     * @param maxEndTargetMs the bound on its target at the end: stalls did not raise it for good (a
     *     playout that took them for jitter ended tunnel calls at 470 ms, against 300 ms calm)
     * @param minCorrelation what the speech must keep at one alignment: the frames that come after a
     *     stall longer than the playout waits are concealed, and catching up shortens speech (0.84 to
     *     0.96 measured; a playout that drops what a stall delays scores far lower)
     */
    private void call(String profile, long maxDelayMs, long maxEndTargetMs, double minCorrelation) throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        Path heard = home.resolve("heard-" + profile + ".wav");
        Path ls = home.resolve("l-" + profile + ".json");
        Path cs = home.resolve("c-" + profile + ".json");
        long droppedBefore = droppedByKernel();
        long retransmittedBefore = callerRetransmissions();
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
        long retransmitted = callerRetransmissions() - retransmittedBefore;
        short[] sent = TestAudio.samples(TestAudio.SPEECH);
        short[] received = TestAudio.samples(heard);
        SpeechComparison.Result match = SpeechComparison.compare(sent, received, 48_000, 2000);
        long framesSent = jsonLong(c, "framesSent");
        long shed = jsonLong(c, "streamBatchesDropped");
        long framesPerBatch = profile.equals("tunnel") ? 8 : 1;
        System.out.printf(Locale.ROOT, "2 %% loss on TCP, %s: the kernel dropped %d packets, the caller retransmitted %d"
                        + " segments and shed %d batches (streams %d); listener received %d of %d frames, played %d, late %d,"
                        + " concealed %d, playout delay max %d ms, target at the end %d ms; %s (best %s); load %s%n",
                profile, kernelDrops, retransmitted, shed, jsonLong(c, "streamConnects"),
                jsonLong(l, "framesReceived"), framesSent, jsonLong(l, "framesPlayed"), jsonLong(l, "framesLate"),
                jsonLong(l, "framesConcealed"), jsonLong(l, "playoutDelayMaxMs"), jsonLong(l, "playoutTargetMs"), match,
                SpeechComparison.best(sent, received, 48_000, 2000), Files.readString(Path.of("/proc/loadavg")).trim());
        assertTrue(kernelDrops > 0, "the router really dropped packets");
        assertTrue(retransmitted > 0, "TCP really retransmitted");
        assertTrue(jsonLong(l, "playoutDelayMaxMs") < maxDelayMs, "playout delay max " + jsonLong(l, "playoutDelayMaxMs"));
        assertTrue(jsonLong(l, "playoutTargetMs") < maxEndTargetMs, "target at the end " + jsonLong(l, "playoutTargetMs"));
        // A stream loses nothing but what the sender shed (and counted).
        assertTrue(jsonLong(l, "framesReceived") >= framesSent - shed * framesPerBatch, "every frame came");
        // Given up (late) only what came after the playout stopped waiting: a few frames per stall.
        assertTrue(jsonLong(l, "framesLate") <= framesSent / 20, "late " + jsonLong(l, "framesLate"));
        assertTrue(match.correlation() >= minCorrelation, match.toString());
    }

    @Test
    void shouldKeepTheTunnelProfileUnderOneSecondOfPlayoutDelayThroughTwoPercentLoss() throws Exception {
        // The caller's audio segments (over 200 bytes: ACKs, reports and the listener's silence are smaller) are
        // spared by the random rule; the 10th of them is dropped instead (1 of 31: 3 %). At random, a 10 s call's 31
        // segments met none to four losses, each a stall that costs the speech at one alignment its length and the
        // catch-up after it (0.71 to 0.93 measured): a bound on the speech needs the same stall each run.
        Lab.run(true, "ip", "netns", "exec", r, "iptables", "-I", "FORWARD", "1", "-s", "10.231.1.2", "-p", "tcp",
                "-m", "length", "--length", "200:65535", "-m", "statistic", "--mode", "nth", "--every", "100000",
                "--packet", "9", "-j", "DROP");
        Lab.run(true, "ip", "netns", "exec", r, "iptables", "-I", "FORWARD", "2", "-s", "10.231.1.2", "-p", "tcp",
                "-m", "length", "--length", "200:65535", "-j", "ACCEPT");
        call("tunnel", 1000, 400, 0.8);
    }

    @Test
    void shouldKeepTheLowLatencyProfileUnderThreeHundredMillisecondsOfPlayoutDelayThroughTwoPercentLoss()
            throws Exception {
        call("low-latency", 300, 150, 0.8);
    }
}
