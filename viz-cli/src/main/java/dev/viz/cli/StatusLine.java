package dev.viz.cli;

import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.VoiceSession;
import java.io.PrintStream;

/**
 * The live status line on stderr, once a second while a call runs: peer, elapsed time, the input
 * level meter ({@code MUTED} while muted), the volume when changed, frames sent and played, kbit/s
 * each way on the wire, and the verification code of a secure call. On a
 * terminal it rewrites one line; otherwise (a pipe, a log file) it prints a line each time, but
 * a listener waiting for a caller says so once, not once a second (a service's log stays readable,
 * and an idle listener does not format a line a second).
 */
final class StatusLine implements AutoCloseable {
    /** Cells of the input level meter, each {@value #METER_CELL_DB} dB: -60 dBFS to 0 dBFS. */
    static final int METER_CELLS = 10;
    static final int METER_CELL_DB = 6;

    private final VoiceSession session;
    private final PrintStream out;
    private final boolean terminal;
    private final boolean listening;
    private final Thread thread;
    private volatile boolean running = true;
    private long lastSent;
    private long lastReceived;
    private long lastNs;
    private boolean saidWaiting;

    StatusLine(VoiceSession session, PrintStream out) {
        this(session, out, false);
    }

    /** @param listening whether this side waits for a caller: its status says so until one connects */
    StatusLine(VoiceSession session, PrintStream out, boolean listening) {
        this.session = session;
        this.listening = listening;
        this.out = out;
        this.terminal = System.console() != null;
        this.thread = new Thread(this::run, "viz-status");
        this.thread.setDaemon(true);
    }

    void start() {
        lastNs = System.nanoTime();
        thread.start();
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (!running) {
                return;
            }
            SessionStats stats = session.stats();
            if (stats.state() == SessionState.ENDED) {
                return;
            }
            boolean waiting = listening && stats.state() == SessionState.CONNECTING;
            if (waiting && saidWaiting && !terminal) {
                continue;
            }
            saidWaiting = waiting;
            print(format(stats));
        }
    }

    String format(SessionStats stats) {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastNs) / 1e9);
        long sent = stats.get(Stat.WIRE_BYTES_SENT);
        long received = stats.get(Stat.WIRE_BYTES_RECEIVED);
        double upKbps = (sent - lastSent) * 8 / seconds / 1000;
        double downKbps = (received - lastReceived) * 8 / seconds / 1000;
        lastSent = sent;
        lastReceived = received;
        lastNs = now;
        long elapsedS = stats.get(Stat.CONNECTED_NS) / 1_000_000_000L;
        StringBuilder line = new StringBuilder(160);
        boolean waiting = listening && stats.state() == SessionState.CONNECTING;
        line.append(waiting ? "waiting for a caller" : stats.state().name().toLowerCase());
        if (stats.peer() != null) {
            line.append(' ').append(stats.peer());
        }
        line.append(String.format(" %d:%02d", elapsedS / 60, elapsedS % 60));
        line.append(" mic ").append(meter(stats.inputPeakDbfs()));
        if (stats.muted()) {
            line.append(" MUTED");
        }
        long gainPercent = stats.get(Stat.OUTPUT_GAIN_PERCENT);
        if (gainPercent != 100) {
            line.append(" vol ").append(gainPercent).append('%');
        }
        line.append(String.format(" sent %d played %d up %.1f kbit/s down %.1f kbit/s",
                stats.framesSent(), stats.framesPlayed(), upKbps, downKbps));
        long rttUs = stats.get(Stat.RTT_US);
        if (rttUs > 0) {
            line.append(String.format(" rtt %d ms", rttUs / 1000));
        }
        line.append(String.format(" loss %.1f%% jitter %d ms delay %d ms", stats.get(Stat.LOSS_PPM) / 10_000.0,
                stats.get(Stat.JITTER_US) / 1000, stats.get(Stat.PLAYOUT_DELAY_MS)));
        long concealedMs = stats.get(Stat.CONCEALED_MS);
        if (concealedMs > 0) {
            line.append(" concealed ").append(concealedMs).append(" ms");
        }
        if (stats.verificationCode() != null) {
            line.append(" code ").append(stats.verificationCode());
        }
        return line.toString();
    }

    /**
     * The input level meter: {@value #METER_CELLS} cells of {@value #METER_CELL_DB} dB from -60 dBFS,
     * filled up to the peak, then the peak in whole dB, for example {@code [######----] -23 dB}.
     */
    static String meter(double peakDbfs) {
        int filled = (int) Math.max(0, Math.min(METER_CELLS, Math.ceil((peakDbfs + METER_CELLS * METER_CELL_DB)
                / METER_CELL_DB)));
        StringBuilder meter = new StringBuilder(METER_CELLS + 12).append('[');
        for (int i = 0; i < METER_CELLS; i++) {
            meter.append(i < filled ? '#' : '-');
        }
        meter.append("] ");
        if (peakDbfs <= -METER_CELLS * METER_CELL_DB) {
            return meter.append("silent").toString();
        }
        return meter.append(Math.round(peakDbfs)).append(" dB").toString();
    }

    private void print(String line) {
        if (terminal) {
            out.print("\r\033[K" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        if (terminal) {
            out.println();
        }
    }
}
