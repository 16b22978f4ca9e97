package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImpairmentSpecTest {
    @Test
    void shouldReadEveryKey() {
        ImpairmentSpec s = ImpairmentSpec.parse("loss=5%, burst=3 ,reorder=1.5,dup=2%,delay=30ms,jitter=0.04s,seed=42,dir=in");
        assertEquals(5, s.lossPercent());
        assertEquals(3, s.burstLength());
        assertEquals(1.5, s.reorderPercent());
        assertEquals(2, s.duplicatePercent());
        assertEquals(30_000_000L, s.delayNs());
        assertEquals(40_000_000L, s.jitterNs());
        assertEquals(42, s.seed());
        assertEquals(ImpairmentSpec.Direction.IN, s.direction());
    }

    @Test
    void shouldReadItsOwnTextBack() {
        ImpairmentSpec s = ImpairmentSpec.parse("loss=10%,burst=2,jitter=120ms,duplicate=1%,seed=9,direction=out");
        assertEquals(s, ImpairmentSpec.parse(s.toString()));
    }

    @Test
    void shouldTakeNothingAsNoImpairment() {
        assertSame(ImpairmentSpec.NONE, ImpairmentSpec.parse(""));
        assertSame(ImpairmentSpec.NONE, ImpairmentSpec.parse(null));
        assertTrue(ImpairmentSpec.parse("seed=3").isNone());
    }

    @Test
    void shouldSayWhatIsWrong() {
        assertMessage("loss=150%", "0 to 100");
        assertMessage("loss=lots", "not a number");
        assertMessage("jitter=-5ms", "0 to 10 s");
        assertMessage("jitter=11s", "0 to 10 s");
        assertMessage("speed=2", "unknown impairment 'speed'");
        assertMessage("loss", "key=value");
        assertMessage("burst=0.5", "1 to 1000");
        assertMessage("loss=60%,burst=1", "mean burst of at least");
        assertMessage("direction=up", "both, in or out");
        assertMessage("seed=x", "integer");
    }

    private static void assertMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImpairmentSpec.parse(text));
        assertTrue(e.getMessage().contains(expected), text + ": " + e.getMessage());
    }
}
