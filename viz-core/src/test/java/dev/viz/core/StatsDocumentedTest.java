package dev.viz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One name per figure everywhere: every {@link Stat} has a row in docs/stats.md under its JSON
 * name, is written by {@link SessionStats#toJson()}, and every kind of {@link Transport.Rejection}
 * has a counter of its own.
 */
class StatsDocumentedTest {
    /** From the module directory (where Maven runs the tests) to the repository's docs. */
    private static final Path PAGE = Path.of("..", "docs", "stats.md");

    @Test
    void shouldDocumentEveryFigureUnderItsJsonName() throws IOException {
        String page = Files.readString(PAGE, StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (Stat stat : Stat.values()) {
            if (!page.contains("| `" + stat.jsonName() + "` | `" + stat.name() + "` | "
                    + (stat.isGauge() ? "gauge" : "counter") + " |")) {
                missing.add(stat.jsonName());
            }
        }
        assertTrue(missing.isEmpty(), "figures without their row in docs/stats.md: " + missing);
    }

    @Test
    void shouldWriteEveryFigureInTheJson() {
        String json = new SessionStats(new long[Stat.values().length], SessionState.CONNECTED, "peer", "611 411")
                .toJson();
        for (Stat stat : Stat.values()) {
            assertTrue(json.contains("\"" + stat.jsonName() + "\": 0"), stat.jsonName());
        }
        assertTrue(json.contains("\"verificationCode\": \"611 411\""), json);
    }

    @Test
    void shouldGiveEveryRejectionKindItsOwnCounter() {
        Set<Stat> counters = EnumSet.noneOf(Stat.class);
        for (Transport.Rejection why : Transport.Rejection.values()) {
            Stat stat = Stat.of(why);
            assertTrue(stat.jsonName().startsWith("datagramsRejected") && !stat.isGauge(), stat.jsonName());
            counters.add(stat);
        }
        assertEquals(Transport.Rejection.values().length, counters.size(), "one counter per kind");
        assertTrue(!counters.contains(Stat.DATAGRAMS_REJECTED), "the total is separate");
    }
}
