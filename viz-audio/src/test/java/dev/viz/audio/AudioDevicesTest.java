package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.internal.DefaultAudioDeviceProvider;
import dev.viz.audio.internal.OpusCodecProvider;
import dev.viz.audio.internal.ZstdCompressorProvider;
import dev.viz.core.AudioDevice;
import dev.viz.core.spi.AudioDeviceProvider;
import dev.viz.core.spi.CodecProvider;
import dev.viz.core.spi.CompressorProvider;
import dev.viz.core.spi.Providers;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AudioDevicesTest {
    @Test
    void shouldParseEveryInputSpec() throws IOException {
        AudioDevice wav = AudioDevices.parseInput("wav:calls/hello.wav");
        assertInstanceOf(WavFileInput.class, wav);
        assertEquals(Path.of("calls/hello.wav"), ((WavFileInput) wav).file());
        assertTrue(((WavFileInput) wav).isPaced(), "devices from specs are paced");
        ToneInput tone = assertInstanceOf(ToneInput.class, AudioDevices.parseInput("tone:440"));
        assertEquals(440, tone.hz());
        assertEquals(1000.5, ((ToneInput) AudioDevices.parseInput(" TONE:1000.5Hz ")).hz());
        assertInstanceOf(SilenceInput.class, AudioDevices.parseInput("silence"));
        assertEquals("wav:c:\\x.wav", AudioDevices.parseInput("wav:c:\\x.wav").name().replace('/', '\\'),
                "only the first colon separates");
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

    @Test
    void shouldNameTheOptionsThatWorkWhenNoSoundDeviceOpens() {
        // Only meaningful without a sound server: with one (as in CI), the defaults are real devices.
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("PULSE_SERVER") == null
                && System.getenv("XDG_RUNTIME_DIR") == null, "a sound server may be running: defaults are real devices");
        IOException in;
        try {
            AudioDevices.defaultInput();
            org.junit.jupiter.api.Assumptions.abort("this machine has a default microphone");
            return;
        } catch (IOException e) {
            in = e;
        }
        System.out.println(in.getMessage());
        assertTrue(in.getMessage().contains("no sound device is available"), in.getMessage());
        assertTrue(in.getMessage().contains("--input wav:FILE|tone:HZ|silence"), in.getMessage());
    }

    @Test
    void shouldRegisterTheDefaultsWithServiceLoader() {
        assertInstanceOf(OpusCodecProvider.class, Providers.best(CodecProvider.class, CodecProvider::priority));
        assertInstanceOf(ZstdCompressorProvider.class,
                Providers.best(CompressorProvider.class, CompressorProvider::priority));
        assertInstanceOf(DefaultAudioDeviceProvider.class,
                Providers.best(AudioDeviceProvider.class, AudioDeviceProvider::priority));
        dev.viz.core.Codec codec = new OpusCodecProvider().newCodec(24_000);
        if (Codecs.isNativeAvailable()) {
            assertEquals(24_000, assertInstanceOf(dev.viz.audio.opus.nativelib.NativeOpusCodec.class, codec).bitrateBps());
        } else {
            assertEquals(24_000, assertInstanceOf(OpusCodec.class, codec).settings().bitrateBps());
        }
        assertInstanceOf(ZstdCompressor.class, new ZstdCompressorProvider().newCompressor()).close();
        // With a sound server the default output is a real device; without one, the error names what works.
        try {
            dev.viz.core.AudioDevice output = new DefaultAudioDeviceProvider().defaultOutput();
            assertTrue(output.supports(dev.viz.core.AudioDevice.Direction.OUTPUT), output.name());
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("--output wav:FILE|null"), e.getMessage());
        }
    }
}
