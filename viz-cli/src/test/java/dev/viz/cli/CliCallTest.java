package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two {@code viz} processes call each other over UDP loopback, as two users would. */
@Timeout(120)
class CliCallTest {
    @TempDir
    Path home;

    static long jsonLong(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (-?\\d+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Long.parseLong(m.group(1));
    }

    static String jsonText(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": \"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return m.group(1);
    }

    @Test
    void shouldCarrySpeechFromOneProcessToAnotherAndWriteConsistentStats() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        Path heard = home.resolve("heard.wav");
        Path listenerStats = home.resolve("listener.json");
        Path callerStats = home.resolve("caller.json");
        int port = CliProcess.freeUdpPort();

        CliProcess listener = CliProcess.start(home.resolve("alice"), "listener", "-s", String.valueOf(port),
                "--input", "silence", "--output", "wav:" + heard, "--stats", listenerStats.toString(), "--duration", "40");
        CliProcess caller = CliProcess.start(home.resolve("bob"), "caller", "-c", "127.0.0.1:" + port,
                "--input", "wav:" + speech, "--output", "null", "--stats", callerStats.toString(), "--duration", "40");

        assertEquals(0, caller.await(60), "caller: " + caller.stderr());
        assertEquals(0, listener.await(30), "listener: " + listener.stderr());

        String callerJson = Files.readString(callerStats);
        String listenerJson = Files.readString(listenerStats);
        long sent = jsonLong(callerJson, "framesSent");
        assertEquals(250, sent, "10 s of 40 ms frames");
        assertEquals(sent, jsonLong(listenerJson, "framesReceived"), "every frame sent arrived");
        assertEquals(0, jsonLong(listenerJson, "framesLost"), "no frame lost");
        assertEquals(sent, jsonLong(listenerJson, "framesPlayed") + jsonLong(listenerJson, "framesDtx")
                + jsonLong(listenerJson, "framesLate"),
                "every frame that arrived was played, or counted late when the loaded machine delayed it");
        assertEquals(0, jsonLong(listenerJson, "datagramsMalformed"));
        assertTrue(jsonLong(listenerJson, "datagramsReceived") <= jsonLong(callerJson, "datagramsSent"));
        long wireSent = jsonLong(callerJson, "wireBytesSent");
        long wireReceived = jsonLong(listenerJson, "wireBytesReceived");
        assertTrue(wireReceived <= wireSent && wireSent - wireReceived <= 4 * 110,
                "the listener took off the wire what the caller put on it, less handshake attempts sent before the"
                        + " listener was up: sent " + wireSent + ", received " + wireReceived);

        short[] sentPcm = TestAudio.samples(TestAudio.SPEECH);
        short[] heardPcm = TestAudio.samples(heard);
        SpeechComparison.Result match = SpeechComparison.best(sentPcm, heardPcm, 48_000, 1000);
        System.out.println("CLI call: " + match + ", heard " + heardPcm.length / 48 + " ms of " + sentPcm.length / 48);
        assertTrue(match.correlation() >= 0.9, match.toString());
        assertTrue(Math.abs(heardPcm.length - sentPcm.length) <= 48 * 320, "length within one batch");
        String err = listener.stderr();
        assertTrue(err.contains("listening on UDP port " + port), err);
        assertTrue(err.contains("call ended"), err);
    }

    @Test
    void shouldStillCarryTheSpeechThroughFivePercentSimulatedLoss() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        Path heard = home.resolve("heard-lossy.wav");
        Path listenerStats = home.resolve("listener-lossy.json");
        int port = CliProcess.freeUdpPort();

        CliProcess listener = CliProcess.start(home.resolve("alice"), "listener-lossy", "-s", String.valueOf(port),
                "--input", "silence", "--output", "wav:" + heard, "--stats", listenerStats.toString(), "--duration", "40");
        CliProcess caller = CliProcess.start(home.resolve("bob"), "caller-lossy", "-c", "127.0.0.1:" + port,
                "--input", "wav:" + speech, "--output", "null", "--simulate", "loss=5%,seed=1,direction=out",
                "--duration", "40");
        assertEquals(0, caller.await(60), "caller: " + caller.stderr());
        assertEquals(0, listener.await(30), "listener: " + listener.stderr());

        String json = Files.readString(listenerStats);
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(TestAudio.SPEECH),
                TestAudio.samples(heard), 48_000, 2000);
        System.out.println("CLI call through 5 % simulated loss (the caller drops 5 % of what it sends, seed 1): " + match + "; frames received "
                + jsonLong(json, "framesReceived") + ", rebuilt " + jsonLong(json, "framesRecovered")
                + ", concealed " + jsonLong(json, "framesConcealed") + ", loss " + jsonLong(json, "lossPpm") / 10_000.0
                + " %");
        assertTrue(jsonLong(json, "framesReceived") < 250, "the simulation really lost audio datagrams");
        assertTrue(match.correlation() >= 0.8, match.toString());
        assertTrue(caller.stderr().contains("simulating an impaired network"), caller.stderr());
    }

    /** The last "played N" of the status lines written so far, or -1. */
    static long lastPlayed(String stderr) {
        Matcher m = Pattern.compile(" played (\\d+) ").matcher(stderr);
        long played = -1;
        while (m.find()) {
            played = Long.parseLong(m.group(1));
        }
        return played;
    }

    /**
     * Issue 13, point 1, as users met it: the caller is killed mid-call (SIGKILL: no bye) and started
     * again; the listener must play the new caller's audio within 3 s of it being up, not once the new
     * frame numbers pass the old ones (the old call's length later).
     */
    @Test
    void shouldPlayTheAudioOfARestartedCallerWithinThreeSeconds() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, home);
        int port = CliProcess.freeUdpPort();
        CliProcess listener = CliProcess.start(home.resolve("alice"), "listener-restart", "-s", String.valueOf(port),
                "--input", "silence", "--output", "null", "--duration", "60");
        try {
            CliProcess first = CliProcess.start(home.resolve("bob"), "caller-first", "-c", "127.0.0.1:" + port,
                    "--input", "wav:" + speech, "--output", "null");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (lastPlayed(listener.stderr()) < 75 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(lastPlayed(listener.stderr()) >= 75, "3 s of the first call played: " + listener.stderr());
            first.kill();
            Thread.sleep(1500);
            long playedBefore = lastPlayed(listener.stderr());

            CliProcess second = CliProcess.start(home.resolve("bob"), "caller-second", "-c", "127.0.0.1:" + port,
                    "--input", "wav:" + speech, "--output", "null");
            try {
                deadline = System.nanoTime() + 30_000_000_000L;
                // Up: its call is secured (a JVM starting on a loaded machine may take seconds before that).
                while (!second.stderr().contains("verification code") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                long upNs = System.nanoTime();
                long backNs = -1;
                while (System.nanoTime() - upNs < 10_000_000_000L) {
                    // Back: its frames play (the status line, once a second, says so up to a second late).
                    if (lastPlayed(listener.stderr()) - playedBefore >= 10) {
                        backNs = System.nanoTime() - upNs;
                        break;
                    }
                    Thread.sleep(50);
                }
                System.out.println("restarted caller process: its audio played "
                        + (backNs < 0 ? "never" : backNs / 1_000_000 + " ms") + " after it was up");
                assertTrue(backNs > 0 && backNs <= 3_000_000_000L, "audio back within 3 s of the new caller being up:\n"
                        + listener.stderr());
                assertEquals(1, listener.stderr().split("verification code", -1).length - 1,
                        "one code for one peer key: " + listener.stderr());
            } finally {
                second.kill();
            }
        } finally {
            listener.kill();
        }
    }
}
