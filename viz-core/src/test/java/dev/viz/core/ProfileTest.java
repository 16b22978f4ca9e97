package dev.viz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProfileTest {
    @Test
    void shouldParseTheNamesTheCommandLineUses() {
        assertEquals(Profile.TUNNEL, Profile.parse("tunnel"));
        assertEquals(Profile.LOW_LATENCY, Profile.parse("low-latency"));
        assertEquals(Profile.LOW_LATENCY, Profile.parse(" LOW_LATENCY "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Profile.parse("fast"));
        assertTrue(e.getMessage().contains("tunnel or low-latency"), e.getMessage());
    }

    @Test
    void shouldDescribeTheTwoPaths() {
        assertEquals(40, Profile.TUNNEL.frameMs());
        assertEquals(8, Profile.TUNNEL.framesPerBatch());
        assertEquals(20, Profile.LOW_LATENCY.frameMs());
        assertEquals(1, Profile.LOW_LATENCY.framesPerBatch());
        assertTrue(Profile.LOW_LATENCY.maxPlayoutDelay().compareTo(Profile.TUNNEL.maxPlayoutDelay()) < 0);
    }
}
