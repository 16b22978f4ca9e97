package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.opus.nativelib.NativeOpusCodec;
import dev.viz.core.Codec;
import org.junit.jupiter.api.Test;

class CodecsTest {
    @Test
    void shouldPickNativeLibopusForAutoWhereItLoadsAndConcentusOtherwise() {
        Codec auto = Codecs.select("auto", 32_000);
        if (Codecs.isNativeAvailable()) {
            assertInstanceOf(NativeOpusCodec.class, auto);
        } else {
            System.out.println("libopus is not installed here: auto falls back to Concentus");
            assertInstanceOf(OpusCodec.class, auto);
        }
    }

    @Test
    void shouldHonourAnExplicitChoice() {
        assertInstanceOf(OpusCodec.class, Codecs.select("concentus", 24_000));
        if (Codecs.isNativeAvailable()) {
            assertInstanceOf(NativeOpusCodec.class, Codecs.select("native", 24_000));
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codecs.select("native", 24_000));
            assertTrue(e.getMessage().contains("libopus0"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAnUnknownChoiceNamingTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codecs.select("mp3", 24_000));
        assertEquals("codec 'mp3': use auto|native|concentus", e.getMessage());
    }
}
