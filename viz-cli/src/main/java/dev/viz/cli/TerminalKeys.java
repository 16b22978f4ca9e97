package dev.viz.cli;

import dev.viz.core.VoiceSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Keys typed during a call, when standard input is a terminal: {@code m} toggles mute, {@code t}
 * toggles push-to-talk (then the space bar talks while held), {@code +}/{@code -} change the output
 * volume, {@code q} ends the call. Other bytes are ignored.
 *
 * <p>A terminal sends bytes for key presses only, never releases. Holding a key makes the terminal
 * repeat it (after its auto-repeat delay, typically 250-660 ms, then 25-33 times a second), so
 * push-to-talk takes the space bar as held until {@link #PUSH_TO_TALK_HOLD_NS} has passed without a
 * space: the microphone stays open that long after the key is let go.
 *
 * <p>Threads: {@link #run()} reads on its own thread ({@code viz-keys}); {@link #tick(long)} runs on a
 * second one that releases push-to-talk; {@link #onKey(int, long)} and {@link #tick(long)} are
 * synchronized (a person's typing, not the audio path).
 */
final class TerminalKeys implements AutoCloseable {
    /** How long push-to-talk stays open after the last space: above the longest common auto-repeat delay. */
    static final long PUSH_TO_TALK_HOLD_NS = TimeUnit.MILLISECONDS.toNanos(700);
    /** One step of {@code +}/{@code -}: a tenth of the unchanged volume. */
    static final double VOLUME_STEP = 0.1;

    private final VoiceSession session;
    private final InputStream in;
    private final PrintStream err;
    private boolean pushToTalk;
    private long lastSpaceNs;
    private boolean talking;
    private volatile boolean closed;
    private String savedTerminal;

    /**
     * @param in the keys; read on the thread that calls {@link #run()}
     * @param err where mode changes are reported (one line each)
     */
    TerminalKeys(VoiceSession session, InputStream in, PrintStream err) {
        this.session = session;
        this.in = in;
        this.err = err;
    }

    /**
     * Reads keys until {@code q}, the end of the input or {@link #close()}; {@code q} closes the
     * session (hangs up).
     */
    void run() {
        try {
            int key;
            while (!closed && (key = in.read()) >= 0) {
                if (closed) {
                    return;
                }
                if (!onKey(key, System.nanoTime())) {
                    session.close();
                    return;
                }
            }
        } catch (IOException e) {
            // The terminal went away: the call goes on without keys.
        }
    }

    /**
     * Handles one key typed at {@code nowNs}.
     *
     * @return false when the key ends the call ({@code q})
     */
    synchronized boolean onKey(int key, long nowNs) {
        switch (key) {
            case 'm':
            case 'M':
                pushToTalk = false;
                session.mute(!session.isMuted());
                say(session.isMuted() ? "muted" : "unmuted");
                return true;
            case 't':
            case 'T':
                pushToTalk = !pushToTalk;
                talking = false;
                session.mute(pushToTalk);
                say(pushToTalk ? "push-to-talk: hold space to talk" : "push-to-talk off: unmuted");
                return true;
            case ' ':
                if (pushToTalk) {
                    lastSpaceNs = nowNs;
                    if (!talking) {
                        talking = true;
                        session.mute(false);
                    }
                }
                return true;
            case '+':
            case '=':
                session.outputGain(stepped(session.outputGain(), +1));
                return true;
            case '-':
            case '_':
                session.outputGain(stepped(session.outputGain(), -1));
                return true;
            case 'q':
            case 'Q':
                return false;
            default:
                return true;
        }
    }

    /** Mutes again once push-to-talk's space has not come for {@link #PUSH_TO_TALK_HOLD_NS}. */
    synchronized void tick(long nowNs) {
        if (pushToTalk && talking && nowNs - lastSpaceNs >= PUSH_TO_TALK_HOLD_NS) {
            talking = false;
            session.mute(true);
        }
    }

    synchronized boolean isPushToTalk() {
        return pushToTalk;
    }

    /** The gain one step up or down, rounded to the step, so that steps never drift. */
    static double stepped(double gain, int direction) {
        return Math.max(0, Math.round(gain / VOLUME_STEP + direction) * VOLUME_STEP);
    }

    private void say(String line) {
        err.print("\r\033[Kviz: " + line + "\n");
        err.flush();
    }

    /**
     * On a terminal (a {@link System#console()}): puts it in character mode without echo (through
     * {@code stty} on {@code /dev/tty}), starts the reader and the push-to-talk release threads, and
     * returns the keys, to be closed when the call ends (which restores the terminal). Elsewhere
     * (a pipe, a file) returns null and nothing changes.
     */
    static TerminalKeys startOnTerminal(VoiceSession session, PrintStream err) {
        if (System.console() == null) {
            return null;
        }
        String saved;
        try {
            saved = stty("-g").trim();
            stty("-icanon -echo min 1");
        } catch (IOException e) {
            err.println("viz: keys off: cannot set the terminal (" + e.getMessage() + ")");
            return null;
        }
        TerminalKeys keys = new TerminalKeys(session, System.in, err);
        keys.savedTerminal = saved;
        err.println("viz: keys: m mute, t push-to-talk (hold space), + / - volume, q hang up");
        Thread reader = new Thread(keys::run, "viz-keys");
        reader.setDaemon(true);
        reader.start();
        Thread releaser = new Thread(() -> {
            while (!keys.closed) {
                keys.tick(System.nanoTime());
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "viz-keys-release");
        releaser.setDaemon(true);
        releaser.start();
        return keys;
    }

    /** Runs {@code stty ARGS < /dev/tty} through /bin/sh; returns its output. */
    private static String stty(String args) throws IOException {
        Process p = new ProcessBuilder("/bin/sh", "-c", "stty " + args + " < /dev/tty").redirectErrorStream(true)
                .start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("stty " + args + " failed: " + out.trim());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** Stops reading keys and restores the terminal as it was. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (savedTerminal != null) {
            try {
                stty(savedTerminal);
            } catch (IOException e) {
                err.println("viz: cannot restore the terminal (" + e.getMessage() + "): run `stty sane`");
            }
        }
    }
}
