package dev.viz.transport.stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.viz.transport.stream.internal.HttpHead;

/**
 * Jazzer over the HTTP head reader that every TCP connection to the listener meets first (and the
 * response reader a caller meets): any bytes parse to a head or to null, never an exception.
 * Fuzzes for {@value #SECONDS} s in {@code mvn verify}; replays saved inputs otherwise.
 */
class HttpHeadFuzzTest {
    static final int SECONDS = 10;

    @FuzzTest(maxDuration = SECONDS + "s")
    void shouldParseAnyRequestHeadWithoutThrowing(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        int end = HttpHead.headEnd(bytes, 0, Math.min(bytes.length, HttpHead.MAX_HEAD_BYTES));
        HttpHead head = HttpHead.parseRequest(bytes, 0, end < 0 ? bytes.length : end);
        if (head != null) {
            assertTrue(head.target.startsWith("/"));
            head.isWebSocketUpgrade();
            head.path();
        }
        HttpHead.parseResponse(bytes, 0, end < 0 ? bytes.length : end);
    }
}
