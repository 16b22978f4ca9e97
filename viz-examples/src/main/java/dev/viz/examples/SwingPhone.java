package dev.viz.examples;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionListener;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.transport.udp.UdpTransport;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Font;
import java.awt.GridLayout;
import java.io.IOException;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JScrollPane;
import javax.swing.JTextArea;
import javax.swing.JTextField;
import javax.swing.JToggleButton;
import javax.swing.SwingConstants;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import javax.swing.WindowConstants;

/**
 * Viz in a small Swing window, as a desktop application would embed it: call or listen, hang up,
 * mute, a microphone level meter, the verification code to read aloud, the call's figures from
 * {@link SessionListener#onStats} and every listener event in a log.
 *
 * <pre>{@code
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.SwingPhone
 * mvn -q -pl viz-examples exec:java -Dexec.mainClass=dev.viz.examples.SwingPhone -Dexec.args="tone:440 null"
 * }</pre>
 *
 * <p>Threads: the session calls its listener on its own threads; every hook here only hands the
 * values to the Swing event thread ({@link SwingUtilities#invokeLater}), and the event thread never
 * blocks on the session (starting and hanging up run on a worker thread). Mute is
 * {@link VoiceSession#mute(boolean)} (the peer keeps receiving frames, silent ones); the level meter
 * reads the input's RMS level from the session's stats ({@link SessionStats#inputRmsDbfs()}), which
 * it measures before muting, so the meter shows the microphone still hears the user.
 */
public final class SwingPhone {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** The code label's background once the call is secured. */
    public static final Color SECURED = new Color(0xC8, 0xF0, 0xC8);

    private final String inputSpec;
    private final String outputSpec;
    private final JFrame frame = new JFrame("Viz");
    private final JTextField address = new JTextField("127.0.0.1:8443", 18);
    private final JButton call = new JButton("Call");
    private final JButton listen = new JButton("Listen");
    private final JButton hangUp = new JButton("Hang up");
    private final JToggleButton mute = new JToggleButton("Mute");
    private final JLabel state = new JLabel("idle");
    private final JLabel code = new JLabel("--- ---", SwingConstants.CENTER);
    private final JLabel peer = new JLabel(" ");
    private final JLabel figures = new JLabel(" ");
    private final JProgressBar level = new JProgressBar(0, 96);
    private final JTextArea log = new JTextArea(8, 48);
    private final Timer meter;
    private volatile VoiceSession session;

    /**
     * Builds the window (call on the Swing event thread).
     *
     * @param inputSpec an input as the CLI's {@code --input} takes it: {@code default}, {@code tone:440}, ...
     * @param outputSpec an output as {@code --output} takes it: {@code default}, {@code null}, ...
     */
    public SwingPhone(String inputSpec, String outputSpec) {
        this.inputSpec = inputSpec;
        this.outputSpec = outputSpec;
        name(address, "address");
        name(call, "call");
        name(listen, "listen");
        name(hangUp, "hangUp");
        name(mute, "mute");
        name(state, "state");
        name(code, "code");
        name(peer, "peer");
        name(figures, "figures");
        name(level, "level");
        name(log, "log");

        code.setFont(code.getFont().deriveFont(Font.BOLD, 32f));
        code.setOpaque(true);
        code.setBorder(BorderFactory.createTitledBorder("verification code: read it to your peer"));
        level.setStringPainted(true);
        level.setString("microphone");
        log.setEditable(false);
        hangUp.setEnabled(false);
        mute.setEnabled(false);

        JPanel controls = new JPanel();
        controls.add(address);
        controls.add(call);
        controls.add(listen);
        controls.add(hangUp);
        controls.add(mute);

        JPanel status = new JPanel(new GridLayout(0, 1));
        status.add(state);
        status.add(code);
        status.add(peer);
        status.add(figures);
        status.add(level);

        frame.setDefaultCloseOperation(WindowConstants.DISPOSE_ON_CLOSE);
        frame.getContentPane().add(controls, BorderLayout.NORTH);
        frame.getContentPane().add(status, BorderLayout.CENTER);
        frame.getContentPane().add(new JScrollPane(log), BorderLayout.SOUTH);

        call.addActionListener(e -> start(false));
        listen.addActionListener(e -> start(true));
        hangUp.addActionListener(e -> hangUp());
        mute.addActionListener(e -> {
            VoiceSession s = session;
            if (s != null) {
                s.mute(mute.isSelected());
                log(mute.isSelected() ? "muted: the peer hears silence" : "unmuted");
            }
        });
        meter = new Timer(100, e -> {
            VoiceSession s = session;
            level.setValue(s == null ? 0 : (int) Math.round(Math.max(0, 96 + s.stats().inputRmsDbfs())));
        });
        meter.start();
        frame.addWindowListener(new java.awt.event.WindowAdapter() {
            @Override
            public void windowClosed(java.awt.event.WindowEvent e) {
                meter.stop();
                hangUp();
            }
        });
        frame.pack();
    }

    private static void name(java.awt.Component component, String name) {
        component.setName(name);
    }

    /** The window (not yet visible). */
    public JFrame frame() {
        return frame;
    }

    /** Event thread: builds the session from the window's fields and starts it on a worker thread. */
    private void start(boolean listening) {
        String where = address.getText().trim();
        Transport transport;
        VoiceSession created;
        try {
            transport = listening ? UdpTransport.listen(Integer.parseInt(where.substring(where.lastIndexOf(':') + 1)))
                    : UdpTransport.connect(where);
            created = VoiceSession.builder()
                    .transport(transport)
                    .input(AudioDevices.parseInput(inputSpec))
                    .output(AudioDevices.parseOutput(outputSpec))
                    .listener(new WindowListener())
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            log("cannot start: " + e.getMessage());
            return;
        }
        session = created;
        call.setEnabled(false);
        listen.setEnabled(false);
        hangUp.setEnabled(true);
        mute.setEnabled(true);
        mute.setSelected(false);
        log(listening ? "listening on UDP " + where : "calling " + where);
        Thread worker = new Thread(() -> {
            try {
                created.start();
                created.awaitEnd();
                String reason = created.failure() != null ? created.failure() : created.endReason();
                SwingUtilities.invokeLater(() -> ended(created, reason));
            } catch (IOException e) {
                SwingUtilities.invokeLater(() -> ended(created, "could not start: " + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "viz-call");
        worker.setDaemon(true);
        worker.start();
    }

    /** Any thread: ends the call, off the event thread. */
    private void hangUp() {
        VoiceSession s = session;
        if (s != null) {
            Thread closer = new Thread(s::close, "viz-hang-up");
            closer.setDaemon(true);
            closer.start();
        }
    }

    /** Event thread. */
    private void ended(VoiceSession s, String reason) {
        if (session != s) {
            return;
        }
        session = null;
        log("ended: " + reason);
        state.setText("ended: " + reason);
        call.setEnabled(true);
        listen.setEnabled(true);
        hangUp.setEnabled(false);
        mute.setEnabled(false);
        mute.setSelected(false);
        code.setBackground(null);
    }

    private void log(String line) {
        log.append(LocalTime.now().format(CLOCK) + "  " + line + "\n");
        log.setCaretPosition(log.getDocument().getLength());
    }

    /** The session's events, handed to the event thread. */
    private final class WindowListener implements SessionListener {
        @Override
        public void onStateChanged(VoiceSession s, SessionState newState) {
            SwingUtilities.invokeLater(() -> {
                state.setText(newState.toString());
                log("state " + newState);
            });
        }

        @Override
        public void onPeerChanged(VoiceSession s, String peerAddress) {
            SwingUtilities.invokeLater(() -> log("peer at " + peerAddress));
        }

        @Override
        public void onSecured(VoiceSession s, String peerFingerprint, String verificationCode) {
            SwingUtilities.invokeLater(() -> {
                code.setText(verificationCode);
                code.setBackground(SECURED);
                peer.setText("peer key " + peerFingerprint.substring(0, 16) + "...");
                log("secured: code " + verificationCode + ", peer key " + peerFingerprint);
            });
        }

        @Override
        public void onError(VoiceSession s, String message, Throwable cause) {
            SwingUtilities.invokeLater(() -> log("error: " + message));
        }

        @Override
        public void onStats(VoiceSession s, SessionStats stats) {
            String text = String.format("rtt %d ms  loss %.1f %%  jitter %d ms  up %.1f kbit/s  down %.1f kbit/s",
                    stats.get(Stat.RTT_US) / 1000, stats.get(Stat.LOSS_PPM) / 10_000.0, stats.get(Stat.JITTER_US) / 1000,
                    stats.get(Stat.SEND_BITRATE_BPS) / 1000.0, stats.get(Stat.RECEIVE_BITRATE_BPS) / 1000.0);
            SwingUtilities.invokeLater(() -> figures.setText(text));
        }
    }

    /** {@code SwingPhone [INPUT-SPEC [OUTPUT-SPEC]]}: default devices unless given. */
    public static void main(String[] args) {
        String input = args.length > 0 ? args[0] : "default";
        String output = args.length > 1 ? args[1] : "default";
        SwingUtilities.invokeLater(() -> {
            JFrame window = new SwingPhone(input, output).frame();
            window.setLocationByPlatform(true);
            window.setVisible(true);
        });
    }
}
