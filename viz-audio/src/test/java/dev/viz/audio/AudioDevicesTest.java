package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.audio.internal.DefaultAudioDeviceProvider;
import dev.viz.audio.internal.OpusCodecProvider;
import dev.viz.audio.internal.ZstdCompressorProvider;
import com.sun.jna.Platform;
import dev.viz.audio.opus.nativelib.NativeOpus;
import dev.viz.audio.opus.nativelib.NativeOpusCodec;
import dev.viz.core.AudioDevice;
import dev.viz.core.Codec;
import dev.viz.core.spi.AudioDeviceProvider;
import dev.viz.core.spi.CodecProvider;
import dev.viz.core.spi.CompressorProvider;
import dev.viz.core.spi.Providers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AudioDevicesTest {
    @Test
    void shouldParseEveryInputSpec(@TempDir Path dir) throws IOException {
        Path hello = java.nio.file.Files.createFile(dir.resolve("hello.wav")); // parsing only checks that it exists
        AudioDevice wav = AudioDevices.parseInput("wav:" + hello);
        assertInstanceOf(WavFileInput.class, wav);
        assertEquals(hello, ((WavFileInput) wav).file());
        assertTrue(((WavFileInput) wav).isPaced(), "devices from specs are paced");
        ToneInput tone = assertInstanceOf(ToneInput.class, AudioDevices.parseInput("tone:440"));
        assertEquals(440, tone.hz());
        assertEquals(1000.5, ((ToneInput) AudioDevices.parseInput(" TONE:1000.5Hz ")).hz());
        assertInstanceOf(SilenceInput.class, AudioDevices.parseInput("silence"));
        IllegalArgumentException missing = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> AudioDevices.parseInput("wav:c:\\x.wav"));
        assertTrue(missing.getMessage().contains("c:\\x.wav"), "only the first colon separates: " + missing.getMessage());
    }

    @Test
    void shouldParseEveryOutputSpec() throws IOException {
        assertInstanceOf(WavFileOutput.class, AudioDevices.parseOutput("wav:heard.wav"));
        assertInstanceOf(NullOutput.class, AudioDevices.parseOutput("null"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "wav:", "wav", "tone:", "tone:abc", "tone:-5", "tone:0", "tone:30000", "null",
        "speaker", "silence:3", "default:1"})
    void shouldRejectBadInputSpecsClearly(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioDevices.parseInput(spec));
        System.out.printf("input '%s': %s%n", spec, e.getMessage());
        assertTrue(e.getMessage().length() > 20, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "wav:", "tone:440", "silence", "null:x", "speaker"})
    void shouldRejectBadOutputSpecsClearly(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AudioDevices.parseOutput(spec));
        System.out.printf("output '%s': %s%n", spec, e.getMessage());
        assertTrue(e.getMessage().length() > 20, e.getMessage());
    }

    /**
     * Run in a child JVM without a sound server: prints what {@link AudioDevices#defaultInput()} and
     * {@link AudioDevices#defaultOutput()} say, one {@code key=value} per line.
     */
    public static void main(String[] args) {
        try {
            System.out.println("input=" + AudioDevices.defaultInput().name());
        } catch (IOException e) {
            System.out.println("input.error=" + e.getMessage());
        }
        try {
            System.out.println("output=" + new DefaultAudioDeviceProvider().defaultOutput().name());
        } catch (IOException e) {
            System.out.println("output.error=" + e.getMessage());
        }
    }

    @Test
    void shouldNameTheOptionsThatWorkWhenNoSoundDeviceOpens(@TempDir Path dir) throws Exception {
        // CI runs a sound server, so the answer is given in a child JVM whose environment points
        // at none: a runtime directory that does not exist, a PulseAudio socket that does not
        // exist and an empty configuration directory (no ALSA entries of the test server's).
        Path emptyConfig = Files.createDirectories(dir.resolve("config"));
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AudioDevicesTest.class.getName()))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("XDG_RUNTIME_DIR", dir.resolve("no-runtime").toString());
        env.put("XDG_CONFIG_HOME", emptyConfig.toString());
        env.put("PULSE_SERVER", "unix:" + dir.resolve("no-pulse/native"));
        env.remove("PULSE_SINK");
        env.remove("PULSE_SOURCE");
        Process p = builder.start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish:\n" + output);
        assertEquals(0, p.exitValue(), output);
        System.out.println(output);
        String in = line(output, "input.error=");
        String out = line(output, "output.error=");
        assertTrue(in.contains("no sound device is available"), output);
        assertTrue(in.contains("pulse:") && in.contains("no PulseAudio server answers") && in.contains("portaudio:")
                && in.contains("javasound:"), "says why, backend by backend: " + in);
        assertTrue(in.contains("--input wav:FILE|tone:HZ|silence"), in);
        assertTrue(out.contains("no sound device is available") && out.contains("--output wav:FILE|null"),
                "the ServiceLoader provider says the same for the output: " + out);
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in:\n" + output));
    }

    @Test
    void shouldRegisterTheDefaultsWithServiceLoader() throws IOException {
        assertInstanceOf(OpusCodecProvider.class, Providers.best(CodecProvider.class, CodecProvider::priority));
        assertInstanceOf(ZstdCompressorProvider.class,
                Providers.best(CompressorProvider.class, CompressorProvider::priority));
        assertInstanceOf(DefaultAudioDeviceProvider.class,
                Providers.best(AudioDeviceProvider.class, AudioDeviceProvider::priority));
        // libopus loads on every platform opus-java-natives covers (from the system, else bundled),
        // so the default codec is the native one there.
        assumeTrue(Platform.isLinux() || Platform.isWindows() || Platform.isMac() && !Platform.isARM(),
                "no bundled libopus for " + Platform.RESOURCE_PREFIX);
        assertTrue(NativeOpus.isAvailable(), () -> "libopus: " + NativeOpus.unavailabilityCause());
        Codec codec = new OpusCodecProvider().newCodec(24_000);
        assertEquals(24_000, assertInstanceOf(NativeOpusCodec.class, codec).bitrateBps());
        assertInstanceOf(ZstdCompressor.class, new ZstdCompressorProvider().newCompressor()).close();
        // The provider hands out exactly what AudioDevices picks (a device, or the same refusal).
        assertEquals(outcome(AudioDevices::defaultOutput), outcome(new DefaultAudioDeviceProvider()::defaultOutput));
        assertEquals(outcome(AudioDevices::defaultInput), outcome(new DefaultAudioDeviceProvider()::defaultInput));
    }

    private interface DeviceSource {
        AudioDevice get() throws IOException;
    }

    private static String outcome(DeviceSource source) {
        try (AudioDevice device = source.get()) {
            return device.getClass().getName() + " " + device.name();
        } catch (IOException e) {
            return "refused: " + e.getMessage();
        }
    }
}
