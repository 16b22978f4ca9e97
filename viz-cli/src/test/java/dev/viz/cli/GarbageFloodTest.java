package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import dev.viz.core.wire.AudioBatch;
import dev.viz.core.wire.PayloadHeader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of seeded malformed datagrams thrown at a live session over UDP: it keeps playing,
 * counts every one, and nothing escapes a thread.
 */
@Timeout(90)
class GarbageFloodTest {
    private static final int DATAGRAMS = 5_000;

    @TempDir
    Path dir;

    /** One malformed payload of a seeded kind: every way a batch can lie. */
    static int malformed(Random random, byte[] b) {
        int kind = random.nextInt(9);
        int length;
        switch (kind) {
            case 0 -> { // random bytes with a version that is not ours
                length = 1 + random.nextInt(1400);
                random.nextBytes(b);
                b[0] = (byte) ((2 + random.nextInt(14)) << 4 | random.nextInt(16));
            }
            case 1 -> { // unknown payload kind
                length = 1 + random.nextInt(100);
                random.nextBytes(b);
                b[0] = PayloadHeader.encode(5 + random.nextInt(11));
            }
            case 2 -> { // audio header only, truncated
                length = 1 + random.nextInt(AudioBatch.HEADER_LENGTH + 1);
                b[0] = PayloadHeader.encode(PayloadHeader.KIND_AUDIO);
            }
            case 3 -> { // frame count out of range
                length = 200;
                audioHeader(b, random.nextBoolean() ? 0 : 33 + random.nextInt(200), 40, 0);
            }
            case 4 -> { // uniform length that lies
                length = 100 + random.nextInt(500);
                audioHeader(b, 8, 40, AudioBatch.FLAG_UNIFORM);
                b[AudioBatch.AREA_OFFSET] = 0; // stored raw
                PayloadHeader.putShort(b, AudioBatch.AREA_OFFSET + 1, 1000 + random.nextInt(60_000));
            }
            case 5 -> { // per-frame lengths that sum wrong
                length = 300;
                audioHeader(b, 4, 40, 0);
                b[AudioBatch.AREA_OFFSET] = 0;
                for (int i = 0; i < 4; i++) {
                    PayloadHeader.putShort(b, AudioBatch.AREA_OFFSET + 1 + 2 * i, random.nextInt(65_536));
                }
            }
            case 6 -> { // a decompression bomb: zstd flag over bytes claiming a huge content
                length = 64;
                audioHeader(b, 8, 40, AudioBatch.FLAG_UNIFORM);
                b[AudioBatch.AREA_OFFSET] = 1;
                // A zstd frame header (magic, then a descriptor declaring an 8-byte content size) claiming 4 GiB.
                int at = AudioBatch.AREA_OFFSET + 1;
                b[at++] = 0x28; b[at++] = (byte) 0xB5; b[at++] = 0x2F; b[at++] = (byte) 0xFD;
                b[at++] = (byte) 0xE0;
                for (int i = 0; i < 8; i++) {
                    b[at++] = (byte) 0xFF;
                }
                random.nextBytes(java.util.Arrays.copyOfRange(b, at, length));
            }
            case 7 -> { // wrong frame duration
                length = 200;
                audioHeader(b, 8, 20, AudioBatch.FLAG_UNIFORM);
            }
            default -> { // keepalive and bye of the wrong length
                boolean bye = random.nextBoolean();
                b[0] = PayloadHeader.encode(bye ? PayloadHeader.KIND_BYE : PayloadHeader.KIND_KEEPALIVE);
                length = bye ? 2 + random.nextInt(2) : 2 + random.nextInt(10);
            }
        }
        return length;
    }

    private static void audioHeader(byte[] b, int count, int frameMs, int flags) {
        b[0] = PayloadHeader.encode(PayloadHeader.KIND_AUDIO);
        b[AudioBatch.FLAGS_OFFSET] = (byte) flags;
        b[AudioBatch.COUNT_OFFSET] = (byte) count;
        b[AudioBatch.FRAME_MS_OFFSET] = (byte) frameMs;
        PayloadHeader.putInt(b, AudioBatch.FIRST_SEQUENCE_OFFSET, 12345);
    }

    @Test
    void shouldKeepPlayingAndCountEveryMalformedDatagram() throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, dir);
        Path heard = dir.resolve("heard.wav");
        int sentGarbage = 0;
        try (InProcessCallTest.Call call = new InProcessCallTest.Call(speech, heard, true);
                DatagramChannel attacker = DatagramChannel.open()) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (call.listener.stats().framesPlayed() < 5) {
                assertTrue(System.nanoTime() < deadline, "audio flows");
                Thread.sleep(10);
            }
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", call.listenSide.localPort());
            Random random = new Random(20261124);
            byte[] b = new byte[1500];
            long startNs = System.nanoTime();
            for (int i = 0; i < DATAGRAMS; i++) {
                java.util.Arrays.fill(b, (byte) 0);
                int length = malformed(random, b);
                attacker.send(ByteBuffer.wrap(b, 0, length), target);
                sentGarbage++;
                if (i % 100 == 99) {
                    // Spread over about 3 s so the socket buffer never overflows and every datagram is counted.
                    long dueNs = startNs + (i + 1) * 600_000L;
                    while (System.nanoTime() < dueNs) {
                        Thread.sleep(1);
                    }
                }
            }
            assertTrue(call.listener.awaitEnd(Duration.ofSeconds(30)));
            SessionStats stats = call.listener.stats();
            System.out.println("garbage flood: sent " + sentGarbage + ", counted malformed "
                    + stats.datagramsMalformed() + ", frames played " + stats.framesPlayed()
                    + ", concealed " + stats.framesConcealed());
            assertEquals(sentGarbage, stats.datagramsMalformed(), "every malformed datagram counted");
            assertEquals(250, stats.framesReceived(), "no frame lost to the flood");
            assertEquals(250, stats.framesPlayed() + stats.get(Stat.FRAMES_DTX) + stats.get(Stat.FRAMES_LATE),
                    "every frame was played, or counted late when the loaded machine delayed it");
            assertNull(call.listener.failure(), "no thread failed");
            assertEquals("the peer ended the call", call.listener.endReason());
        }
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(TestAudio.SPEECH),
                TestAudio.samples(heard), 48_000, 1000);
        System.out.println("garbage flood: " + match);
        assertTrue(match.correlation() >= 0.9, match.toString());
    }
}
