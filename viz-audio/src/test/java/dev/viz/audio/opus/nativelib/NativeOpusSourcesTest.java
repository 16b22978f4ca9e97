package dev.viz.audio.opus.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.NativeLibrary;
import dev.viz.audio.Codecs;
import dev.viz.audio.OpusCodec;
import dev.viz.core.AudioFormat;
import dev.viz.core.Codec;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where libopus comes from: the system first, then the copy bundled in opus-java-natives, then
 * Concentus. The probe runs once per JVM, so each case runs in a child JVM whose system lookup is
 * pointed at a library that does not exist ({@value NativeOpus#SYSTEM_LIBRARY_PROPERTY}).
 */
class NativeOpusSourcesTest {
    private static final int BITRATE_BPS = 32_000;
    /** Opus's encoder delay at 48 kHz (VOIP): the one alignment at which decoded speech is compared. */
    private static final int LOOKAHEAD_SAMPLES = 312;

    /** Run in the child JVM: what the probe chose, and speech through it and through Concentus. */
    public static void main(String[] args) {
        System.out.println("available=" + NativeOpus.isAvailable());
        System.out.println("source=" + NativeOpus.source());
        System.out.println("version=" + NativeOpus.version());
        Codec auto = Codecs.select("auto", BITRATE_BPS);
        System.out.println("auto=" + Codecs.describe(auto));
        if (!NativeOpus.isAvailable()) {
            Throwable cause = NativeOpus.unavailabilityCause();
            System.out.println("cause=" + cause.getClass().getName());
            Throwable[] suppressed = cause.getSuppressed();
            System.out.println("lastSuppressed=" + suppressed[suppressed.length - 1].getMessage());
            return;
        }
        short[] speech = TestAudio.samples(TestAudio.SPEECH);
        print("native", roundTrip(new NativeOpusCodec(BITRATE_BPS), speech));
        print("concentus", roundTrip(OpusCodec.builder().bitrateBps(BITRATE_BPS).build(), speech));
    }

    private record Quality(double correlation, double snrDb, long bytes) {
    }

    private static void print(String key, Quality q) {
        System.out.println(key + ".correlation=" + q.correlation);
        System.out.println(key + ".snrDb=" + q.snrDb);
        System.out.println(key + ".bytes=" + q.bytes);
    }

    private static Quality roundTrip(Codec codec, short[] speech) {
        AudioFormat format = AudioFormat.mono48k(20);
        int frame = format.frameSamples();
        int frames = speech.length / frame;
        short[] decoded = new short[frames * frame];
        byte[] packet = new byte[Codec.MAX_ENCODED_BYTES];
        long bytes = 0;
        try (codec) {
            codec.open(format);
            for (int i = 0; i < frames; i++) {
                int length = codec.encode(speech, i * frame, packet, 0, packet.length);
                if (length < 0 || codec.decode(packet, 0, length, decoded, i * frame) != frame) {
                    throw new AssertionError(codec.name() + ": frame " + i + " failed (" + length + ")");
                }
                bytes += length;
            }
        }
        double signal = 0;
        double noise = 0;
        for (int i = 0; i + LOOKAHEAD_SAMPLES < decoded.length; i++) {
            double s = speech[i];
            double d = decoded[i + LOOKAHEAD_SAMPLES] - s;
            signal += s * s;
            noise += d * d;
        }
        double correlation = SpeechComparison.compare(speech, decoded, 48_000, 200).correlation();
        return new Quality(correlation, 10 * Math.log10(signal / Math.max(1, noise)), bytes);
    }

    @Test
    void shouldLoadTheBundledLibopusWhenTheSystemHasNone() throws Exception {
        Map<String, String> child = runChild("-D" + NativeOpus.SYSTEM_LIBRARY_PROPERTY + "=viz-no-such-opus");
        child.forEach((k, v) -> System.out.println("  " + k + " = " + v));
        assertEquals("true", child.get("available"));
        assertEquals("BUNDLED", child.get("source"));
        assertTrue(child.get("version").startsWith("libopus 1.1"), "opus-java-natives 1.1.1 bundles libopus 1.1.x: "
                + child.get("version"));
        assertTrue(child.get("auto").startsWith("opus/native (libopus"), "auto picks the bundled libopus: "
                + child.get("auto"));
        double nativeCorrelation = Double.parseDouble(child.get("native.correlation"));
        double concentusCorrelation = Double.parseDouble(child.get("concentus.correlation"));
        double nativeSnr = Double.parseDouble(child.get("native.snrDb"));
        double concentusSnr = Double.parseDouble(child.get("concentus.snrDb"));
        System.out.printf("bundled %s: correlation %.3f, SNR %.2f dB; Concentus: %.3f, %.2f dB%n",
                child.get("version"), nativeCorrelation, nativeSnr, concentusCorrelation, concentusSnr);
        assertTrue(nativeCorrelation >= 0.9, "speech through the bundled libopus: " + nativeCorrelation);
        assertTrue(nativeCorrelation >= concentusCorrelation - 0.02, "as good as Concentus: " + nativeCorrelation
                + " vs " + concentusCorrelation);
        assertTrue(nativeSnr >= concentusSnr - 1.0, "SNR as good as Concentus's: " + nativeSnr + " vs " + concentusSnr);
    }

    @Test
    void shouldFallBackToConcentusKeepingBothErrorsWhenNoLibopusLoads() throws Exception {
        Map<String, String> child = runChild("-D" + NativeOpus.SYSTEM_LIBRARY_PROPERTY + "=viz-no-such-opus",
                "-D" + NativeOpus.BUNDLED_PROPERTY + "=false");
        child.forEach((k, v) -> System.out.println("  " + k + " = " + v));
        assertEquals("false", child.get("available"));
        assertEquals(UnsatisfiedLinkError.class.getName(), child.get("cause"), "the system loader's own error");
        assertTrue(child.get("lastSuppressed").contains("bundled libopus is switched off"),
                "the bundled copy's reason rides along: " + child.get("lastSuppressed"));
        assertTrue(child.get("auto").startsWith("opus/concentus (pure Java; native libopus:"), child.get("auto"));
    }

    @Test
    void shouldPreferTheSystemLibopus() {
        boolean systemHasIt;
        try {
            NativeLibrary.getInstance(NativeOpus.DEFAULT_SYSTEM_LIBRARY);
            systemHasIt = true;
        } catch (UnsatisfiedLinkError e) {
            systemHasIt = false;
        }
        assumeTrue(systemHasIt, "no libopus installed here (apt-get install libopus0)");
        assertTrue(NativeOpus.isAvailable(), () -> String.valueOf(NativeOpus.unavailabilityCause()));
        assertEquals(NativeOpus.Source.SYSTEM, NativeOpus.source(), NativeOpus.describe());
        System.out.println("this JVM: " + NativeOpus.describe());
    }

    private static Map<String, String> runChild(String... properties) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(properties));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeOpusSourcesTest.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not finish in 60 s:\n" + output);
        }
        assertEquals(0, p.exitValue(), "the child JVM failed:\n" + output);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[a-zA-Z.]+")) {
                values.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return values;
    }
}
