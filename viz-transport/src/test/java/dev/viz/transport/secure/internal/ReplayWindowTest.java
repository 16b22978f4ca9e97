package dev.viz.transport.secure.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    @Test
    void shouldAcceptEachCounterOnceInAnyOrderWithinTheWindow() {
        ReplayWindow window = new ReplayWindow();
        List<Long> counters = new ArrayList<>();
        for (long c = 0; c < 3000; c++) {
            counters.add(c);
        }
        Collections.shuffle(counters, new Random(3));
        for (long c : counters) {
            assertTrue(window.accept(c), "first time " + c);
        }
        for (long c : counters) {
            assertFalse(window.accept(c), "again " + c);
        }
        assertEquals(2999, window.highest());
    }

    @Test
    void shouldKeepAtLeast2048CountersAndRefuseOlderOnes() {
        assertTrue(ReplayWindow.SIZE >= 2048);
        ReplayWindow window = new ReplayWindow();
        assertTrue(window.accept(10_000));
        assertTrue(window.accept(10_000 - ReplayWindow.SIZE), "the oldest counter inside the window");
        assertFalse(window.accept(10_000 - ReplayWindow.SIZE - 1), "one older is refused: it cannot be judged");
        assertFalse(window.accept(10_000 - ReplayWindow.SIZE));
        assertFalse(window.accept(10_000));
        assertFalse(window.accept(-1));
    }

    @Test
    void shouldForgetNothingInsideTheWindowWhenItJumps() {
        ReplayWindow window = new ReplayWindow();
        assertTrue(window.accept(5));
        assertTrue(window.accept(1_000_000));
        assertFalse(window.accept(5), "far behind now");
        assertTrue(window.accept(999_999));
        assertFalse(window.accept(999_999));
        assertTrue(window.accept(1_000_000 + 64 * 70), "a jump larger than the ring clears it");
        assertFalse(window.accept(1_000_000), "behind the window after the jump");
    }

    @Test
    void shouldMatchAReferenceModelOnRandomTraffic() {
        Random random = new Random(42);
        ReplayWindow window = new ReplayWindow();
        BitSet seen = new BitSet();
        long highest = -1;
        for (int i = 0; i < 200_000; i++) {
            long c = Math.max(0, highest + random.nextInt(300) - 200);
            if (random.nextInt(100) == 0) {
                c = highest + random.nextInt(10_000);
            }
            boolean expected = !seen.get((int) c) && (highest < 0 || c > highest || highest - c <= ReplayWindow.SIZE);
            assertEquals(expected, window.accept(c), "counter " + c + " with highest " + highest);
            if (expected) {
                seen.set((int) c);
                highest = Math.max(highest, c);
            }
        }
    }
}
