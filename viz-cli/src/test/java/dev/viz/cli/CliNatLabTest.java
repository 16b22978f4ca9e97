package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A NAT lab in network namespaces, built by the test: Alice on 10.1.0.0/24 behind router A, Bob on
 * 10.2.0.0/24 behind router B, and a "public" namespace between the routers running a real coturn
 * on 10.9.0.1. Each router is endpoint-independent (MASQUERADE, which keeps ports) or symmetric
 * ({@code MASQUERADE --random-fully}). Alice listens through the relay and prints an invite; Bob
 * pastes it. Needs root, {@code ip netns}, iptables, conntrack and coturn: skipped, saying why,
 * otherwise. Namespaces, veths and rules all carry the prefix {@code vzt} and are deleted afterwards.
 */
@Timeout(120)
class CliNatLabTest {
    static final String P = "vztn" + ProcessHandle.current().pid() % 1000;
    static final String[] NAMESPACES = {"a", "ra", "pub", "rb", "b"};
    static final String RELAY = "turn:alice:lab-pw@10.9.0.1:3478";
    static Process coturn;
    static Path dir;
    static boolean built;

    @TempDir
    Path home;

    static String ns(String n) {
        return P + n;
    }

    static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the NAT lab needs root (network namespaces, iptables)";
        }
        for (String tool : new String[] {"/usr/bin/turnserver", "/usr/sbin/iptables", "/usr/sbin/conntrack", "/usr/bin/ip",
            "/usr/sbin/ip", "/bin/ip"}) {
            if (tool.endsWith("/ip")) {
                continue;
            }
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing (apt-get install coturn iptables conntrack; .ci/run installs them)";
            }
        }
        return null;
    }

    static String sh(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    static void in(String namespace, String command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns(namespace)));
        argv.addAll(List.of(command.split(" ")));
        sh(argv.toArray(new String[0]));
    }

    @BeforeAll
    static void buildLab() throws Exception {
        String why = unavailable();
        if (why == null) {
            try {
                sh("ip", "netns", "add", ns("probe"));
                sh("ip", "netns", "del", ns("probe"));
            } catch (IOException e) {
                why = "cannot create network namespaces here: " + e.getMessage();
            }
        }
        if (why != null) {
            System.out.println("SKIPPED: " + why);
        }
        assumeTrue(why == null, why);
        built = true;
        for (String n : NAMESPACES) {
            sh("ip", "netns", "add", ns(n));
            in(n, "ip link set lo up");
        }
        veth("a0", "a", "a1", "ra");
        veth("r0", "ra", "r1", "pub");
        veth("r2", "rb", "r3", "pub");
        veth("b0", "b", "b1", "rb");
        address("a", "a0", "10.1.0.2/24");
        address("ra", "a1", "10.1.0.1/24");
        address("ra", "r0", "10.9.0.2/24");
        address("pub", "r1", "10.9.0.1/24");
        address("pub", "r3", "10.9.1.1/24");
        address("rb", "r2", "10.9.1.2/24");
        address("rb", "b1", "10.2.0.1/24");
        address("b", "b0", "10.2.0.2/24");
        in("a", "ip route add default via 10.1.0.1");
        in("ra", "ip route add default via 10.9.0.1");
        in("rb", "ip route add default via 10.9.1.1");
        in("b", "ip route add default via 10.2.0.1");
        in("ra", "sysctl -qw net.ipv4.ip_forward=1");
        in("rb", "sysctl -qw net.ipv4.ip_forward=1");
        in("pub", "sysctl -qw net.ipv4.ip_forward=1"); // the public network routes between the two routers
        dir = Files.createTempDirectory("vzt-natlab");
        startCoturn();
    }

    /** Starts coturn in the public namespace (again, after {@link #stopCoturn}: a relay restart). */
    static void startCoturn() throws Exception {
        List<String> turn = new ArrayList<>(List.of("ip", "netns", "exec", ns("pub"), "turnserver", "-n",
                "--listening-ip", "10.9.0.1", "--relay-ip", "10.9.0.1", "--listening-port", "3478", "--no-tls",
                "--no-dtls", "--realm", "viz.test", "--no-cli", "--simple-log", "--log-file",
                dir.resolve("turn.log").toString(), "--userdb", dir.resolve("turndb").toString(), "--pidfile",
                dir.resolve("pid").toString(), "--lt-cred-mech", "--user", "alice:lab-pw", "-v"));
        coturn = new ProcessBuilder(turn).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
        Thread.sleep(1000);
        assertTrue(coturn.isAlive(), "coturn runs in the public namespace: " + Files.readString(dir.resolve("out")));
    }

    static void stopCoturn() throws Exception {
        coturn.destroyForcibly();
        coturn.waitFor(5, TimeUnit.SECONDS);
    }

    static void veth(String left, String leftNs, String right, String rightNs) throws Exception {
        sh("ip", "link", "add", P + left, "netns", ns(leftNs), "type", "veth", "peer", "name", P + right, "netns", ns(rightNs));
    }

    static void address(String namespace, String dev, String cidr) throws Exception {
        in(namespace, "ip addr add " + cidr + " dev " + P + dev);
        in(namespace, "ip link set " + P + dev + " up");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (coturn != null) {
            coturn.destroyForcibly();
            coturn.waitFor(5, TimeUnit.SECONDS);
        }
        if (built) {
            for (String n : NAMESPACES) {
                try {
                    sh("ip", "netns", "del", ns(n));
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    /**
     * Sets a router's NAT behaviour and forgets its old mappings. Like a home router, it drops
     * unsolicited datagrams to itself from outside. Without that, a peer's first probe that arrives
     * before this side's own first datagram reaches the router's UDP stack (an ICMP "port
     * unreachable" answers it) and conntrack keeps an entry for it; the entry then holds the very
     * port pair this side's mapping needs, and MASQUERADE gives that mapping another port: hole
     * punching between two such routers fails whenever the two first probes do not cross in flight,
     * as they never do on a lab's microsecond links. Dropped in INPUT, the probe's entry is never
     * confirmed.
     */
    static void nat(String router, String outside, boolean symmetric) throws Exception {
        in(router, "iptables -t nat -F POSTROUTING");
        in(router, "iptables -t nat -A POSTROUTING -o " + P + outside + " -j MASQUERADE" + (symmetric ? " --random-fully" : ""));
        in(router, "iptables -F INPUT");
        in(router, "iptables -A INPUT -i " + P + outside + " -p udp -m conntrack --ctstate NEW -j DROP");
        in(router, "conntrack -F");
    }

    @ParameterizedTest(name = "Alice behind {0}, Bob behind {1}")
    @CsvSource({"endpoint-independent, endpoint-independent", "endpoint-independent, symmetric",
        "symmetric, endpoint-independent", "symmetric, symmetric"})
    void shouldConnectThroughTheRelayWithSpeechInAndOut(String alice, String bob) throws Exception {
        nat("ra", "r0", alice.equals("symmetric"));
        nat("rb", "r2", bob.equals("symmetric"));
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        Path heard = home.resolve("heard.wav");
        Path listenerStats = home.resolve("alice.json");
        Path callerStats = home.resolve("bob.json");
        CliProcess listener = CliProcess.startIn(ns("a"), home.resolve("alice"), "alice", "-s", "--relay", RELAY,
                "--input", "silence", "--output", "wav:" + heard, "--stats", listenerStats.toString(), "--duration", "30");
        String invite = CliRelayCallTest.awaitInvite(listener);
        long start = System.nanoTime();
        CliProcess caller = CliProcess.startIn(ns("b"), home.resolve("bob"), "bob", "-c", invite,
                "--input", "wav:" + speech, "--output", "null", "--stats", callerStats.toString(), "--duration", "30");
        long startedNs = CliRelayCallTest.awaitText(caller, "your key fingerprint", start);
        long securedNs = CliRelayCallTest.awaitText(caller, "secured with peer key", start);
        boolean bothKeepPorts = alice.equals("endpoint-independent") && bob.equals("endpoint-independent");
        long directNs = bothKeepPorts ? CliRelayCallTest.awaitText(caller, "(direct)", start) : 0;
        assertEquals(0, caller.await(60), "bob: " + caller.stderr());
        assertEquals(0, listener.await(30), "alice: " + listener.stderr());
        String listenerJson = Files.readString(listenerStats);
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(TestAudio.SPEECH), TestAudio.samples(heard),
                48_000, 1000);
        System.out.printf("NAT lab, Alice %s / Bob %s: %s; Bob's program start to secured call %.0f ms (JVM start %.0f ms"
                + " before that); frames received %d of %d, late %d, concealed %d%n", alice, bob, match,
                (securedNs - startedNs) / 1e6, startedNs / 1e6, CliCallTest.jsonLong(listenerJson, "framesReceived"),
                CliCallTest.jsonLong(Files.readString(callerStats), "framesSent"),
                CliCallTest.jsonLong(listenerJson, "framesLate"), CliCallTest.jsonLong(listenerJson, "framesConcealed"));
        assertEquals(CliCallTest.jsonLong(Files.readString(callerStats), "framesSent"),
                CliCallTest.jsonLong(listenerJson, "framesReceived"), "every frame crossed both NATs and the relay");
        assertTrue(match.correlation() >= 0.9, match.toString());
        assertTrue(securedNs - startedNs <= TimeUnit.SECONDS.toNanos(3), "secured within 3 s");
        assertTrue(listener.stderr().contains("path: relay"), listener.stderr());
        assertTrue(listener.stderr().contains("10.9.0.2:"), "Alice's public address is router A's: " + listener.stderr());
        String callerJson = Files.readString(callerStats);
        long relaySent = CliCallTest.jsonLong(callerJson, "fallbackDataSent");
        long directSent = CliCallTest.jsonLong(callerJson, "directDataSent");
        long relayReceived = CliCallTest.jsonLong(listenerJson, "fallbackDataReceived");
        long directReceived = CliCallTest.jsonLong(listenerJson, "directDataReceived");
        System.out.printf("  path: Bob %s (%d changes), Alice %s; Bob's data datagrams via the relay %d, direct %d;"
                + " Alice's received via the relay %d, direct %d%n", CliCallTest.jsonText(callerJson, "path"),
                CliCallTest.jsonLong(callerJson, "pathChanges"), CliCallTest.jsonText(listenerJson, "path"), relaySent,
                directSent, relayReceived, directReceived);
        if (bothKeepPorts) {
            System.out.printf("  Bob's call secured to direct: %.0f ms%n", (directNs - securedNs) / 1e6);
            assertTrue(directNs - securedNs <= TimeUnit.SECONDS.toNanos(5), "direct within 5 s of the call securing");
            assertEquals("direct", CliCallTest.jsonText(callerJson, "path"));
            assertEquals("direct", CliCallTest.jsonText(listenerJson, "path"));
            // A datagram every 320 ms: at most the first 5 s of the call went through the relay, then nothing.
            assertTrue(relaySent <= 16, "the relay carried only the start of the call: " + relaySent);
            assertTrue(relayReceived <= 16, "the relay carried only the start of the call: " + relayReceived);
            assertTrue(directReceived >= 30, "the rest came directly: " + directReceived);
        } else {
            assertEquals("relay", CliCallTest.jsonText(callerJson, "path"), "a symmetric NAT: the call stays on the relay");
            assertEquals("relay", CliCallTest.jsonText(listenerJson, "path"));
            assertEquals(0, directSent + directReceived, "nothing went directly");
            assertTrue(caller.stderr().contains("(relay)") || !caller.stderr().contains("(direct)"), caller.stderr());
        }
    }

    @Test
    void shouldResumeAfterTheCallersNatForgetsItsMappingMidCall() throws Exception {
        nat("ra", "r0", false);
        nat("rb", "r2", true);
        Path listenerStats = home.resolve("alice.json");
        CliProcess listener = CliProcess.startIn(ns("a"), home.resolve("alice"), "alice-rebind", "-s", "--relay", RELAY,
                "--input", "tone:440", "--output", "null", "--stats", listenerStats.toString(), "--duration", "12");
        String invite = CliRelayCallTest.awaitInvite(listener);
        CliProcess caller = CliProcess.startIn(ns("b"), home.resolve("bob"), "bob-rebind", "-c", invite,
                "--input", "tone:440", "--output", "null", "--duration", "12");
        CliRelayCallTest.awaitText(caller, "secured with peer key", System.nanoTime());
        Thread.sleep(3000);
        in("rb", "conntrack -F"); // Bob's router forgets the mapping: his next datagram leaves from another port
        long flushedNs = System.nanoTime();
        CliRelayCallTest.awaitText(caller, "resumed after a gap of", flushedNs);
        long resumedNs = System.nanoTime() - flushedNs;
        assertEquals(0, caller.await(60), "bob: " + caller.stderr());
        assertEquals(0, listener.await(30), "alice: " + listener.stderr());
        String line = caller.stderr().lines().filter(l -> l.contains("resumed after a gap")).findFirst().orElseThrow();
        System.out.printf("NAT rebinding on Bob's symmetric router mid-call: %s; noticed %.1f s after the flush%n", line,
                resumedNs / 1e9);
        assertTrue(resumedNs < TimeUnit.SECONDS.toNanos(8), "resumed within 8 s of the rebinding");
    }

    @Test
    void shouldKeepACallThatWentDirectWhenTheRelayRestarts() throws Exception {
        nat("ra", "r0", false);
        nat("rb", "r2", false);
        Path listenerStats = home.resolve("alice.json");
        Path callerStats = home.resolve("bob.json");
        CliProcess listener = CliProcess.startIn(ns("a"), home.resolve("alice"), "alice-restart", "-s", "--relay", RELAY,
                "--input", "tone:440", "--output", "null", "--stats", listenerStats.toString(), "--duration", "14");
        String invite = CliRelayCallTest.awaitInvite(listener);
        CliProcess caller = CliProcess.startIn(ns("b"), home.resolve("bob"), "bob-restart", "-c", invite,
                "--input", "tone:440", "--output", "null", "--stats", callerStats.toString(), "--duration", "12");
        CliRelayCallTest.awaitText(caller, "(direct)", System.nanoTime());
        Thread.sleep(2000);
        stopCoturn(); // the relay goes away mid-call and comes back 3 s later with no allocation of either side
        Thread.sleep(3000);
        startCoturn();
        assertEquals(0, caller.await(60), "bob: " + caller.stderr());
        assertEquals(0, listener.await(30), "alice: " + listener.stderr());
        String listenerJson = Files.readString(listenerStats);
        String callerJson = Files.readString(callerStats);
        long sent = CliCallTest.jsonLong(callerJson, "framesSent");
        long received = CliCallTest.jsonLong(listenerJson, "framesReceived");
        System.out.printf("relay restarted mid-call on the direct path: frames sent %d, received %d, concealed %d;"
                + " path %s (%d changes)%n", sent, received, CliCallTest.jsonLong(listenerJson, "framesConcealed"),
                CliCallTest.jsonText(callerJson, "path"), CliCallTest.jsonLong(callerJson, "pathChanges"));
        assertEquals("direct", CliCallTest.jsonText(callerJson, "path"));
        assertEquals(1, CliCallTest.jsonLong(callerJson, "pathChanges"), "never left the direct path");
        assertTrue(received >= sent - 8, "no gap: " + received + " of " + sent);
        assertTrue(!caller.stderr().contains("reconnecting"), caller.stderr());
    }
}
