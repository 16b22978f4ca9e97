package dev.viz.transport.impair;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.OpusCodec;
import dev.viz.audio.ZstdCompressor;
import dev.viz.core.Profile;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.internal.SimulatedCall;
import dev.viz.core.testing.ArrayInput;
import dev.viz.core.testing.SimClock;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.loopback.LoopbackTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The impairment matrix of docs/realtime.md: 30 s of speech through the real engine (real Opus,
 * real batcher, receiver reports, loss adaptation, adaptive playout) over an impaired in-memory
 * path, on a simulated clock, for every cell of loss 0/2/5/10/20 %, jitter 0/40/120 ms, both
 * profiles, plus bursts, reordering and duplication. Each cell must keep playing (no stall), keep
 * its playout delay under the profile's bound, and keep its counters consistent; the figures go to
 * {@code target/realtime-matrix.md}, which docs/realtime.md quotes.
 */
class RealtimeMatrixTest {
    private static final int SEED = 7;
    private static final int SECONDS = 30;
    /** A 1200-byte UDP payload (the default datagram size limit) less the secure layer's 30 bytes. */
    static final int SECURE_PAYLOAD_BYTES = 1170;
    /** What the secure layer adds to each datagram. */
    static final int SECURE_OVERHEAD_BYTES = 30;

    private record Cell(Profile profile, String impairment) { }

    private record Row(Cell cell, double lostPercent, double realShare, double rebuiltShare, long concealedMs,
            long late, long maxDelayMs, double correlation, double globalCorrelation, long copies, double upKbps) { }

    static short[] speech(int seconds) {
        short[] clip = TestAudio.samples(TestAudio.SPEECH);
        short[] out = new short[48_000 * seconds];
        for (int i = 0; i < out.length; i++) {
            out[i] = clip[i % clip.length];
        }
        return out;
    }

    /** Runs one call of {@code speech} through {@code spec} with real Opus on both sides. */
    static SimulatedCall.Result call(Profile profile, ImpairmentSpec spec, short[] speech,
            dev.viz.core.Redundancy redundancy) {
        return call(profile, spec, speech, redundancy, 5_000_000_000L);
    }

    /** @param settleNs how long after playout starts the delay's range ({@code min/maxDelayAfterSettleMs}) is taken */
    static SimulatedCall.Result call(Profile profile, ImpairmentSpec spec, short[] speech,
            dev.viz.core.Redundancy redundancy, long settleNs) {
        SimClock clock = new SimClock();
        // The payload limit a 1200-byte datagram leaves under the secure layer.
        LoopbackTransport[] pair = LoopbackTransport.pair(SECURE_PAYLOAD_BYTES);
        OpusCodec.Builder opus = OpusCodec.builder().warmUpMs(400);
        return SimulatedCall.builder().profile(profile).redundancy(redundancy).clock(clock)
                .talkerInput(new ArrayInput(speech, false))
                .codecs(opus.build(), opus.bitrateBps(6_000).build(), opus.build())
                .compressors(new ZstdCompressor(), new ZstdCompressor())
                // Each end impairs what it sends: each direction of the path is impaired once.
                .transports(spec.withDirection(ImpairmentSpec.Direction.OUT).wrap(pair[0], clock),
                        spec.withDirection(ImpairmentSpec.Direction.OUT).wrap(pair[1], clock))
                .durationNs((speech.length / 48 + 10_000) * 1_000_000L)
                .outputCapacitySamples(speech.length + 48_000 * 15)
                .byFrameCapacitySamples(speech.length + 48_000)
                .settleNs(settleNs)
                .build().run();
    }

    @Test
    void shouldKeepPlayingWithinTheDelayBoundAcrossTheMatrix() throws IOException {
        List<Cell> cells = new ArrayList<>();
        for (Profile profile : Profile.values()) {
            for (int jitterMs : new int[] {0, 40, 120}) {
                for (int loss : new int[] {0, 2, 5, 10, 20}) {
                    cells.add(new Cell(profile, "loss=" + loss + "%,jitter=" + jitterMs + "ms"));
                }
            }
            cells.add(new Cell(profile, "loss=10%,burst=3,jitter=40ms"));
            cells.add(new Cell(profile, "loss=2%,reorder=5%,jitter=40ms"));
            cells.add(new Cell(profile, "loss=2%,duplicate=5%,jitter=40ms"));
        }
        short[] speech = speech(SECONDS);
        List<Row> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            Cell cell = cells.get(i);
            // Each cell its own seed, so that no two cells lose the same datagrams by construction.
            ImpairmentSpec spec = ImpairmentSpec.parse(cell.impairment() + ",seed=" + (SEED + i));
            SimulatedCall.Result r = call(cell.profile(), spec, speech, dev.viz.core.Redundancy.AUTO);
            Row row = row(cell, r, speech);
            rows.add(row);
            check(cell, r, row, failures);
        }
        String table = table(rows);
        Path out = Path.of("target", "realtime-matrix.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table);
        System.out.println(table);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static Row row(Cell cell, SimulatedCall.Result r, short[] speech) {
        SessionStats heard = r.listener;
        SessionStats said = r.talker;
        long played = heard.get(Stat.FRAMES_PLAYED);
        long recovered = heard.get(Stat.FRAMES_RECOVERED);
        long concealed = heard.get(Stat.FRAMES_CONCEALED);
        long dtx = heard.get(Stat.FRAMES_DTX);
        long audible = played + recovered + concealed;
        long expected = heard.framesReceived() + heard.framesLost();
        double correlation = byFrame(speech, r);
        double global = SpeechComparison.compare(speech, r.played, 48_000, 2_500).correlation();
        double seconds = r.simulatedNs / 1e9;
        return new Row(cell, percent(heard.framesLost(), expected), percent(played, audible),
                recovered + concealed == 0 ? 100 : percent(recovered, recovered + concealed),
                heard.get(Stat.CONCEALED_MS), heard.framesLate(), r.maxDelayMs, correlation, global,
                said.get(Stat.REDUNDANT_COPIES),
                (said.get(Stat.WIRE_BYTES_SENT) + SECURE_OVERHEAD_BYTES * said.get(Stat.DATAGRAMS_SENT)) * 8 / seconds / 1000);
    }

    /** The envelope correlation of what each frame sounded like, wherever the playout put it. */
    static double byFrame(short[] speech, SimulatedCall.Result r) {
        return SpeechComparison.compare(speech, r.byFrame, 48_000, 200).correlation();
    }

    private static double percent(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private static void check(Cell cell, SimulatedCall.Result r, Row row, List<String> failures) {
        String name = cell.profile().cliName() + " " + cell.impairment() + ": ";
        SessionStats heard = r.listener;
        long slots = heard.get(Stat.FRAMES_PLAYED) + heard.get(Stat.FRAMES_RECOVERED)
                + heard.get(Stat.FRAMES_CONCEALED) + heard.get(Stat.FRAMES_DTX);
        if (r.longestStallNs > 0) {
            failures.add(name + "playout stalled for " + r.longestStallNs / 1_000_000 + " ms");
        }
        if (r.maxDelayMs > cell.profile().maxPlayoutDelay().toMillis()) {
            failures.add(name + "playout delay " + r.maxDelayMs + " ms over the bound");
        }
        if (slots != r.slots) {
            failures.add(name + "played + recovered + concealed + dtx = " + slots + " but " + r.slots + " slots passed");
        }
        if (heard.framesLate() > heard.get(Stat.FRAMES_CONCEALED) + heard.get(Stat.FRAMES_RECOVERED)) {
            failures.add(name + "more late frames than slots concealed or rebuilt");
        }
        long sent = r.talker.framesSent();
        long accounted = heard.framesReceived() + heard.framesLost();
        if (accounted > sent || accounted < sent - 3L * cell.profile().framesPerBatch()) {
            failures.add(name + "received + lost = " + accounted + " for " + sent + " sent");
        }
        if (r.slots < sent - 3L * cell.profile().framesPerBatch()) {
            failures.add(name + "only " + r.slots + " of " + sent + " frames' slots were played");
        }
        if (cell.impairment().startsWith("loss=0%,jitter=0ms")
                && (heard.get(Stat.FRAMES_CONCEALED) != 0 || heard.framesLate() != 0 || heard.framesLost() != 0)) {
            failures.add(name + "a clean path concealed, lost or was late");
        }
        if (row.correlation() < 0.5) {
            failures.add(name + "speech no longer matches: envelope correlation " + row.correlation());
        }
    }

    private static String table(List<Row> rows) {
        StringBuilder t = new StringBuilder();
        t.append("| profile | impairment | lost | played from data | rebuilt of missing | concealed | late | max delay | corr. by frame | corr. as heard | copies/batch | up kbit/s |\n");
        t.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            t.append(String.format(Locale.ROOT, "| %s | %s | %.1f %% | %.1f %% | %.0f %% | %d ms | %d | %d ms | %.3f | %.3f | %d | %.1f |%n",
                    r.cell().profile().cliName(), r.cell().impairment(), r.lostPercent(), r.realShare(),
                    r.rebuiltShare(), r.concealedMs(), r.late(), r.maxDelayMs(), r.correlation(),
                    r.globalCorrelation(), r.copies(), r.upKbps()));
        }
        return t.toString();
    }
}
