package dev.viz.cli;

import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scores one real-process lossy call for docs/realtime.md: the speech heard against the speech sent
 * at one fixed lag (the whole call, no realignment: as a listener hears a delay that moves), and the
 * listener's and caller's figures from their {@code --stats} files. Test tool:
 *
 * <pre>java -cp viz-cli/target/test-classes:viz-core/target/test-classes dev.viz.cli.CellReport SENT.wav HEARD.wav LISTENER.json CALLER.json LABEL</pre>
 */
final class CellReport {
    private CellReport() {
    }

    /**
     * The envelope correlation of heard against sent at the single best lag (0 to {@code maxLagMs}),
     * found to the millisecond: first on the envelope's 20 ms grid, then within one window either
     * side of the best grid lag by shifting the heard samples 1 ms at a time. A grid-only search
     * scores the same call 0.92 to 0.96 depending on where its delay falls between two windows (a
     * lag 10 ms off the grid compares every window with the halves of two), which is the tool, not
     * what a listener hears ({@code CellReportTest}).
     */
    static double fixedLagCorrelation(short[] sent, short[] heard, int maxLagMs) {
        double[] a = SpeechComparison.envelope(sent, 48_000);
        double[] b = SpeechComparison.envelope(heard, 48_000);
        double best = -1;
        int bestLag = 0;
        for (int lag = 0; lag <= maxLagMs / SpeechComparison.WINDOW_MS; lag++) {
            int n = Math.min(a.length, b.length - lag);
            if (n < a.length * 3 / 4) {
                break;
            }
            double r = SpeechComparison.pearson(a, b, 0, lag, n);
            if (r > best) {
                best = r;
                bestLag = lag;
            }
        }
        int samplesPerMs = 48;
        int window = SpeechComparison.WINDOW_MS * samplesPerMs;
        int from = Math.max(0, (bestLag - 1) * window);
        int to = (bestLag + 1) * window;
        for (int offset = from; offset <= to && offset < heard.length; offset += samplesPerMs) {
            double[] shifted = SpeechComparison.envelope(java.util.Arrays.copyOfRange(heard, offset, heard.length), 48_000);
            int n = Math.min(a.length, shifted.length);
            if (n < a.length * 3 / 4) {
                break;
            }
            best = Math.max(best, SpeechComparison.pearson(a, shifted, 0, 0, n));
        }
        return best;
    }

    public static void main(String[] args) throws Exception {
        short[] sent = TestAudio.samples(Path.of(args[0]));
        short[] heard = TestAudio.samples(Path.of(args[1]));
        String l = Files.readString(Path.of(args[2]));
        String c = Files.readString(Path.of(args[3]));
        long lost = CliCallTest.jsonLong(l, "framesLost");
        long recovered = CliCallTest.jsonLong(l, "framesRecovered");
        long concealed = CliCallTest.jsonLong(l, "framesConcealed");
        double fixed = fixedLagCorrelation(sent, heard, 3000);
        SpeechComparison.Result realigned = SpeechComparison.compare(sent, heard, 48_000, 3000);
        double seconds = CliCallTest.jsonLong(c, "connectedNs") / 1e9;
        System.out.printf("| %s | sent %d, lost %d (%.1f %%) | rebuilt %d (%.0f %% of lost), concealed %d | delay %d ms (max %d) "
                        + "| corr fixed %.3f, realigned %.3f | %.1f datagrams/s, up %.1f kbit/s, encoder %d bit/s, copies %d |%n",
                args[4], CliCallTest.jsonLong(c, "framesSent"), lost,
                100.0 * lost / Math.max(1, CliCallTest.jsonLong(c, "framesSent")), recovered,
                lost == 0 ? 100.0 : 100.0 * Math.min(recovered, lost) / lost, concealed,
                CliCallTest.jsonLong(l, "playoutDelayMs"), CliCallTest.jsonLong(l, "playoutDelayMaxMs"), fixed,
                realigned.correlation(), CliCallTest.jsonLong(c, "datagramsSent") / seconds,
                CliCallTest.jsonLong(c, "wireBytesSent") * 8 / seconds / 1000, CliCallTest.jsonLong(c, "encoderBitrateBps"),
                CliCallTest.jsonLong(c, "redundantCopies"));
    }
}
