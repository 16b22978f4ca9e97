package dev.viz.audio.processing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessingDefaultsTest {
    @Test
    void shouldProcessRealDevicesByDefault() {
        ProcessingOptions o = ProcessingDefaults.forCall("default", "portaudio:viz_speaker", null, null, null);
        assertTrue(o.echoCancellation());
        assertTrue(o.noiseSuppression());
        assertTrue(o.gainControl());
        assertEquals("aec+ns+agc+vad", o.describe());
        assertEquals("aec+ns+agc+vad", ProcessingDefaults.forCall("pulse:default", "pulse:viz_out", null, null, null)
                .describe());
    }

    @Test
    void shouldLeaveFilesTonesAndSilenceExact() {
        for (String input : new String[] {"wav:a.wav", "tone:440", "silence", "monitor", "pulse:monitor",
                "portaudio:monitor"}) {
            assertFalse(ProcessingDefaults.forCall(input, "default", null, null, null).any(), input);
        }
        // A microphone into a file: nothing to echo, but the room's noise and level still matter.
        ProcessingOptions toFile = ProcessingDefaults.forCall("javasound:default", "wav:out.wav", null, null, null);
        assertFalse(toFile.echoCancellation());
        assertTrue(toFile.noiseSuppression());
    }

    @Test
    void shouldLetTheUserOverrideEachSwitch() {
        ProcessingOptions o = ProcessingDefaults.forCall("default", "default", false, null, false);
        assertEquals("ns+vad", o.describe());
        ProcessingOptions forced = ProcessingDefaults.forCall("wav:a.wav", "null", true, null, null);
        assertEquals("aec", forced.describe());
    }

    @Test
    void shouldParseOnOffAndRejectTheRest() {
        assertEquals(Boolean.TRUE, ProcessingDefaults.parseSwitch("on", "--aec"));
        assertEquals(Boolean.FALSE, ProcessingDefaults.parseSwitch("OFF", "--aec"));
        assertNull(ProcessingDefaults.parseSwitch("auto", "--aec"));
        assertNull(ProcessingDefaults.parseSwitch(null, "--aec"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcessingDefaults.parseSwitch("maybe", "--denoise"));
        assertEquals("--denoise maybe: use on, off or auto", e.getMessage());
    }
}
