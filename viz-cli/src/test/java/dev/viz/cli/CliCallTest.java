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
                "--input", "silence", "--output", "wav:" + heard, "--stats", listenerStats.toString(),
                "--simulate", "loss=5%,seed=11,direction=out", "--duration", "40");
        CliProcess caller = CliProcess.start(home.resolve("bob"), "caller-lossy", "-c", "127.0.0.1:" + port,
                "--input", "wav:" + speech, "--output", "null", "--simulate", "loss=5%,seed=12,direction=out",
                "--duration", "40");
        assertEquals(0, caller.await(60), "caller: " + caller.stderr());
        assertEquals(0, listener.await(30), "listener: " + listener.stderr());

        String json = Files.readString(listenerStats);
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(TestAudio.SPEECH),
                TestAudio.samples(heard), 48_000, 2000);
        System.out.println("CLI call through 5 % simulated loss each way (each side drops 5 % of what it sends): " + match + "; frames received "
                + jsonLong(json, "framesReceived") + ", rebuilt " + jsonLong(json, "framesRecovered")
                + ", concealed " + jsonLong(json, "framesConcealed") + ", loss " + jsonLong(json, "lossPpm") / 10_000.0
                + " %");
        assertTrue(match.correlation() >= 0.8, match.toString());
        assertTrue(caller.stderr().contains("simulating an impaired network"), caller.stderr());
    }
}
