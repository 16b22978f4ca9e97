package dev.viz.cli;

import dev.viz.audio.AudioDevices;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.Profile;
import dev.viz.core.Redundancy;
import dev.viz.core.SessionListener;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.transport.impair.ImpairmentSpec;
import dev.viz.transport.reach.CallAddress;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.KnownPeers;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code viz} command: listen or call, with its options; {@code demo} and {@code help} below it. */
@Command(name = "viz",
        mixinStandardHelpOptions = true,
        versionProvider = VizCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "End-to-end encrypted peer-to-peer voice calls over UDP, TCP or WebSocket.",
            "One peer listens (-s PORT: UDP, TCP and WebSocket on that one port number), the other calls"
                + " (-c ADDRESS). Put the listening port behind any tunnel (UDP, TCP or HTTPS: docs/tunnels.md),"
                + " reverse proxy or VPS to reach a peer behind NAT: the relay sees only ciphertext.",
        },
        footer = {
            "",
            "Examples:",
            "  viz -s 8443                          listen on UDP 8443",
            "  viz -c example.net:8443              call (UDP; TCP to the same port when UDP gets no answer in 3 s)",
            "  viz -c tcp://bore.pub:41234          call through a TCP tunnel (ngrok tcp, bore, ssh -R)",
            "  viz -c https://name.trycloudflare.com  call through an HTTPS tunnel (WebSocket at /viz)",
            "  viz -c wss://example.net/viz         a WebSocket over TLS; ws://HOST:PORT/PATH without TLS",
            "  viz -c host:8443 --input wav:a.wav --output wav:heard.wav --stats s.json",
            "  viz demo                             a whole call on this machine",
        },
        subcommands = {DemoCommand.class, DevicesCommand.class, CommandLine.HelpCommand.class})
final class VizCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-s", "--listen"}, paramLabel = "PORT", arity = "0..1", fallbackValue = "0",
            description = "Listen for a call on this port: UDP, and TCP (raw streams and WebSockets) on the same number"
                    + " (see --carriers); no PORT with --relay.")
    Integer listenPort;

    @Option(names = {"-c", "--connect"}, paramLabel = "ADDRESS|INVITE",
            description = "Call the peer at ADDRESS: " + CallAddress.FORMS
                    + "; or the listener whose invite (viz:relay?...) you received.")
    String connectTo;

    @picocli.CommandLine.Mixin
    CarrierOptions carrierOptions = new CarrierOptions();

    @picocli.CommandLine.Mixin
    DirectOptions directOptions = new DirectOptions();

    @Option(names = "--relay", paramLabel = "URI",
            description = "Listen through this TURN relay (turn:USER:PASS@HOST:PORT, ?transport=tcp, or turns:) and print"
                    + " an invite for the peer; or set VIZ_RELAY. See docs/nat.md.")
    String relayUri;

    @Option(names = "--relay-secret", paramLabel = "SECRET",
            description = "The relay's shared secret (coturn use-auth-secret): time-limited credentials are made from it"
                    + " and the invite carries only those. Prefer the environment variable VIZ_RELAY_SECRET.")
    String relaySecret;

    @Option(names = {"-d", "--debug"}, description = "Debug logging.")
    boolean debug;

    @Option(names = "--input", paramLabel = "SPEC", defaultValue = "default",
            description = "Where your voice comes from: wav:FILE, tone:HZ, silence, pulse:NAME, portaudio:NAME, javasound:NAME,"
                    + " monitor or default (default: ${DEFAULT-VALUE}; viz devices lists the names).")
    String input;

    @Option(names = "--output", paramLabel = "SPEC", defaultValue = "default",
            description = "Where the peer's voice goes: wav:FILE, null, pulse:NAME, portaudio:NAME, javasound:NAME or default"
                    + " (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "tunnel",
            description = "tunnel (40 ms frames, 8 per datagram: few packets for tunnels) or low-latency (20 ms"
                    + " frames, one per datagram, for direct paths) (default: ${DEFAULT-VALUE}).")
    String profileName;

    @Option(names = "--frame-ms", paramLabel = "MS",
            description = "Opus frame duration: 10, 20, 40 or 60 ms (default: the profile's).")
    Integer frameMsOption;

    @Option(names = "--batch", paramLabel = "FRAMES",
            description = "Frames per datagram, 1 to 32 (default: the profile's).")
    Integer framesPerBatchOption;

    @Option(names = "--redundancy", paramLabel = "MODE", defaultValue = "auto",
            description = "Low-bitrate copies of earlier frames to rebuild a lost datagram: auto (in the tunnel profile"
                    + " from the start, in low-latency from the first lossy report; off after 30 s of a clean path, on"
                    + " again when the peer reports loss; never over TCP or WebSocket), on or off"
                    + " (default: ${DEFAULT-VALUE}).")
    String redundancyName;

    @Option(names = "--simulate", paramLabel = "IMPAIRMENTS",
            description = "Impair this side's network for a demonstration, e.g. loss=5%%,jitter=40ms"
                    + " (see docs/realtime.md for every setting).")
    String simulate;

    int frameMs;
    int framesPerBatch;
    private Invite invite;
    private dev.viz.transport.turn.TurnTransport relayListener;
    private String identityFingerprint;

    @Option(names = "--bitrate", paramLabel = "BPS", defaultValue = "32000",
            description = "Opus bitrate in bit/s, 6000 to 510000 (default: ${DEFAULT-VALUE}).")
    int bitrateBps;

    @Option(names = "--complexity", paramLabel = "0-10", defaultValue = "10",
            description = "Opus encoder complexity: 10 the best quality, lower costs less CPU per frame"
                    + " (default: ${DEFAULT-VALUE}).")
    int complexity;

    @Option(names = "--aec", paramLabel = "on|off",
            description = "Echo cancellation (default: on when both input and output are sound devices).")
    String aec;

    @Option(names = "--denoise", paramLabel = "on|off",
            description = "Noise suppression (default: on when the input is a sound device).")
    String denoise;

    @Option(names = "--agc", paramLabel = "on|off",
            description = "Automatic gain control (default: on when the input is a sound device).")
    String agc;

    @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "auto",
            description = "Opus implementation: auto (native libopus where installed, else Concentus), native or"
                    + " concentus (default: ${DEFAULT-VALUE}).")
    String codec;

    @Option(names = "--duration", paramLabel = "SECONDS",
            description = "End the call this many seconds after it connects.")
    Double durationS;

    @Option(names = "--connect-timeout", paramLabel = "TIME",
            description = "When calling, give up (exit status 1) after this long without an answer from the listener:"
                    + " 30s, 500ms, 2m...; 0 waits for ever (default: 30s).")
    String connectTimeoutText;

    @Option(names = "--stats", paramLabel = "FILE", description = "Write the call's figures as JSON to FILE when it ends.")
    Path statsFile;

    @Option(names = "--max-datagram", paramLabel = "BYTES", defaultValue = "" + UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES,
            description = "Largest UDP payload, " + UdpTransport.MIN_MAX_DATAGRAM_BYTES + " to 65507 (default: ${DEFAULT-VALUE}).")
    int maxDatagramBytes;

    @Option(names = "--identity", paramLabel = "FILE",
            description = "Your long-term key pair (created, mode 0600, if missing). Default: viz/identity in your"
                    + " config directory ($XDG_CONFIG_HOME or ~/.config).")
    Path identityFile;

    @Option(names = "--peer-key", paramLabel = "FINGERPRINT",
            description = "Accept only the peer with this key fingerprint (the listening side prints its own at start).")
    String peerKey;

    @Option(names = "--secret", paramLabel = "SECRET",
            description = "A secret both sides know, mixed into the handshake (Argon2id): a peer without it cannot"
                    + " connect. Prefer the environment variable VIZ_SECRET, which does not show in ps.")
    String secret;

    @Option(names = "--no-known-peers",
            description = "Do not remember the listener's key for this address (viz/known_peers in your config directory).")
    boolean noKnownPeers;

    @Option(names = "--insecure-plaintext",
            description = "Send audio UNENCRYPTED and unauthenticated: anyone on the path can listen. For tests only.")
    boolean plaintext;

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new VizCommand());
        cli.setParameterExceptionHandler(VizCommand::onBadArguments);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("viz: " + describe(e));
            return Main.EXIT_FAILURE;
        });
        return cli;
    }

    private static int onBadArguments(ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println("viz: " + e.getMessage());
        cli.usage(err, cli.getColorScheme());
        return Main.EXIT_USAGE;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() throws Exception {
        if (listenPort == null && connectTo == null) {
            throw usage("say whether to listen (-s PORT) or call (-c ADDRESS)");
        }
        if (listenPort != null && connectTo != null) {
            throw usage("use -s PORT or -c ADDRESS, not both");
        }
        Profile profile;
        Redundancy redundancy;
        ImpairmentSpec impairment = null;
        try {
            profile = Profile.parse(profileName);
            redundancy = Redundancy.valueOf(redundancyName.trim().toUpperCase(java.util.Locale.ROOT));
            if (simulate != null) {
                impairment = ImpairmentSpec.parse(simulate);
            }
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage().startsWith("No enum constant")
                    ? "--redundancy " + redundancyName + ": use auto, on or off" : e.getMessage());
        }
        frameMs = frameMsOption != null ? frameMsOption : profile.frameMs();
        framesPerBatch = framesPerBatchOption != null ? framesPerBatchOption : profile.framesPerBatch();
        RelaySetup relay = null;
        if (listenPort != null) {
            try {
                relay = RelaySetup.fromOptionsOrEnvironment(relayUri, relaySecret);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        } else if (relayUri != null || relaySecret != null) {
            throw usage("--relay and --relay-secret are for the listener (-s); the caller uses the invite (-c 'viz:...')");
        }
        if (listenPort != null && relay == null && (listenPort < 1 || listenPort > 65_535)) {
            throw usage(listenPort == 0 ? "-s needs a PORT, or --relay URI (or VIZ_RELAY) to listen through a TURN relay"
                    : "-s " + listenPort + ": the port must be 1 to 65535");
        }
        validateCommon(spec, frameMs, framesPerBatch, bitrateBps, maxDatagramBytes, durationS);
        if (complexity < 0 || complexity > 10) {
            throw new ParameterException(spec.commandLine(), "--complexity " + complexity + ": use 0 to 10");
        }
        try {
            directOptions.validate();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Duration connectTimeout = UdpTransport.DEFAULT_CONNECT_TIMEOUT;
        if (connectTimeoutText != null) {
            if (listenPort != null) {
                throw usage("--connect-timeout applies to the calling side (-c HOST:PORT); a listener waits for its caller");
            }
            try {
                connectTimeout = parseTime(connectTimeoutText);
            } catch (IllegalArgumentException e) {
                throw usage("--connect-timeout " + connectTimeoutText + ": use a time such as 30s, 500ms or 2m"
                        + " (0 waits for ever)");
            }
        }
        dev.viz.audio.processing.ProcessingOptions processing;
        try {
            processing = processingOptions(input, output, aec, denoise, agc);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Transport transport;
        try {
            if (relay != null) {
                relayListener = relay.listener(maxDatagramBytes);
                transport = directOptions.overRelay(relayListener, relayListener.server());
            } else if (listenPort != null) {
                transport = directOptions.overCarrier(carrierOptions.listen(listenPort, maxDatagramBytes,
                        plaintext ? () -> null : this::fingerprint));
            } else if (Invite.looksLikeInvite(connectTo)) {
                invite = Invite.parse(connectTo);
                if (invite.isExpired(System.currentTimeMillis() / 1000)) {
                    throw usage("this invite expired at " + invite.expiry() + ": ask the listener for a new one");
                }
                transport = directOptions.overRelay(RelaySetup.caller(invite, maxDatagramBytes), invite.relay());
            } else {
                transport = directOptions.overCarrier(carrierOptions.call(connectTo, maxDatagramBytes, connectTimeout));
            }
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        AudioDevice in;
        AudioDevice out;
        try {
            in = AudioDevices.parseInput(input);
            out = AudioDevices.parseOutput(output);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        } catch (IOException e) {
            spec.commandLine().getErr().println("viz: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        dev.viz.core.Codec selectedCodec;
        try {
            selectedCodec = dev.viz.audio.Codecs.select(codec, bitrateBps, complexity);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        if (impairment != null) {
            transport = impairment.wrap(transport);
            err.println("viz: simulating an impaired network on this side: " + simulate);
        }
        if (plaintext) {
            if (peerKey != null || secret != null || identityFile != null) {
                throw usage("--insecure-plaintext cannot be combined with --identity, --peer-key or --secret");
            }
        } else {
            try {
                transport = secure(transport, err);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            } catch (IOException | IllegalStateException e) {
                err.println("viz: " + describe(e));
                return Main.EXIT_FAILURE;
            }
        }
        if (relayListener != null) {
            try {
                relay.printInvite(relayListener, identityFingerprint, spec.commandLine().getOut(), err);
            } catch (IOException e) {
                err.println("viz: " + describe(e));
                relayListener.close();
                return Main.EXIT_FAILURE;
            }
        }
        VoiceSession.Builder builder = VoiceSession.builder()
                .profile(profile)
                .transport(transport)
                .codec(selectedCodec)
                .redundancy(redundancy)
                .redundancyCodec(dev.viz.audio.Codecs.select(codec, VoiceSession.Builder.REDUNDANT_BITRATE_BPS))
                .input(in)
                .output(out)
                .frameMs(frameMs)
                .framesPerBatch(framesPerBatch)
                .bitrateBps(bitrateBps)
                .allowPlaintext(plaintext)
                .listener(new CliListener(spec.commandLine().getErr()));
        if (durationS != null) {
            builder.duration(Duration.ofMillis(Math.round(durationS * 1000)));
        }
        dev.viz.core.AudioProcessor processor = dev.viz.audio.processing.AudioProcessing.create(processing,
                warning -> err.println("viz: " + warning));
        if (processor != dev.viz.core.AudioProcessor.NONE) {
            err.println("viz: audio processing: " + processor.name());
        }
        builder.processor(processor);
        if (plaintext) {
            err.println("viz: WARNING: --insecure-plaintext: this call is NOT encrypted;"
                    + " anyone on the path can listen and inject audio");
        }
        String banner = relayListener != null ? "listening through the relay " + relayListener.server() + " (path: relay)"
                : listenPort != null ? carrierOptions.listenBanner(listenPort)
                : invite != null ? "calling through the relay " + invite.relay() + " (path: relay)"
                : "calling " + connectTo;
        return runCall(builder, banner + ", codec " + dev.viz.audio.Codecs.describe(selectedCodec), statsFile, spec.commandLine().getErr(),
                () -> carrierOptions.statsJson() + directOptions.statsJson(), listenPort != null);
    }

    private volatile String fingerprint;

    /**
     * The fingerprint the listener's web page shows (read when a page is first asked for, after
     * secure() made the identity); null when it cannot be read.
     */
    private String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            try {
                f = (identityFile != null ? Identity.loadOrCreate(identityFile) : Identity.loadOrCreateDefault()).fingerprint();
                fingerprint = f;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return f;
    }

    /**
     * The processing for a call from {@code input} to {@code output} with the user's --aec, --denoise
     * and --agc (on, off or auto; null for the default of the devices).
     *
     * @throws IllegalArgumentException for a value that is not on, off or auto
     */
    static dev.viz.audio.processing.ProcessingOptions processingOptions(String input, String output, String aec,
            String denoise, String agc) {
        return dev.viz.audio.processing.ProcessingDefaults.forCall(input, output,
                dev.viz.audio.processing.ProcessingDefaults.parseSwitch(aec, "--aec"),
                dev.viz.audio.processing.ProcessingDefaults.parseSwitch(denoise, "--denoise"),
                dev.viz.audio.processing.ProcessingDefaults.parseSwitch(agc, "--agc"));
    }

    /** Wraps the UDP transport in the Noise secure layer with the user's identity and chosen authentication. */
    private Transport secure(Transport udp, PrintWriter err) throws IOException {
        Identity identity = identityFile != null ? Identity.loadOrCreate(identityFile) : Identity.loadOrCreateDefault();
        SecureTransport.Builder secure = SecureTransport.wrap(udp).identity(identity);
        identityFingerprint = identity.fingerprint();
        if (peerKey != null) {
            secure.peerKey(peerKey);
        } else if (invite != null) {
            secure.peerKey(invite.fingerprint()); // the invite pins the listener's key: no codes to compare
        }
        String sharedSecret = secret != null ? secret : System.getenv("VIZ_SECRET");
        if (sharedSecret != null && !sharedSecret.isEmpty()) {
            secure.secret(sharedSecret.toCharArray());
        }
        if (connectTo != null && invite == null && !noKnownPeers) {
            secure.knownPeers(KnownPeers.openDefault(), connectTo);
        }
        err.println("viz: your key fingerprint " + identity.fingerprint());
        if (sharedSecret != null && !sharedSecret.isEmpty()) {
            err.println("viz: a shared secret is required of the peer");
        }
        err.flush();
        return secure.build();
    }

    /**
     * A time as users write it: a number with {@code ms}, {@code s} (the default unit) or {@code m}.
     *
     * @throws IllegalArgumentException when the text is no such time or is negative
     */
    static Duration parseTime(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?")
                .matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a time: " + text);
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double ms = switch (unit) {
            case "ms" -> value;
            case "m" -> value * 60_000;
            default -> value * 1_000;
        };
        if (ms > Long.MAX_VALUE / 1_000_000L) {
            throw new IllegalArgumentException("too long: " + text);
        }
        return Duration.ofMillis(Math.round(ms));
    }

    static void validateCommon(CommandSpec spec, int frameMs, int framesPerBatch, int bitrateBps, int maxDatagramBytes,
            Double durationS) {
        if (!AudioFormat.isValidFrameMs(frameMs)) {
            throw new ParameterException(spec.commandLine(), "--frame-ms " + frameMs + ": use 10, 20, 40 or 60");
        }
        if (framesPerBatch < 1 || framesPerBatch > VoiceSession.Builder.MAX_FRAMES_PER_BATCH) {
            throw new ParameterException(spec.commandLine(), "--batch " + framesPerBatch + ": use 1 to 32");
        }
        if (bitrateBps < 6_000 || bitrateBps > 510_000) {
            throw new ParameterException(spec.commandLine(), "--bitrate " + bitrateBps + ": use 6000 to 510000");
        }
        if (maxDatagramBytes < UdpTransport.MIN_MAX_DATAGRAM_BYTES || maxDatagramBytes > UdpTransport.MAX_MAX_DATAGRAM_BYTES) {
            throw new ParameterException(spec.commandLine(), "--max-datagram " + maxDatagramBytes + ": use "
                    + UdpTransport.MIN_MAX_DATAGRAM_BYTES + " to " + UdpTransport.MAX_MAX_DATAGRAM_BYTES);
        }
        if (durationS != null && !(durationS > 0)) {
            throw new ParameterException(spec.commandLine(), "--duration must be a positive number of seconds");
        }
    }

    /** Builds, starts and runs a call to its end with the status line; writes the stats; returns the exit status. */
    static int runCall(VoiceSession.Builder builder, String banner, Path statsFile, PrintWriter err) {
        return runCall(builder, banner, statsFile, err, () -> "", false);
    }

    /**
     * As above; {@code extraStats} adds JSON members (with a leading comma) to the stats file; a
     * listening side's status line says it waits for a caller rather than that it connects.
     */
    static int runCall(VoiceSession.Builder builder, String banner, Path statsFile, PrintWriter err,
            java.util.function.Supplier<String> extraStats, boolean listening) {
        VoiceSession session;
        try {
            session = builder.build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            err.println("viz: " + describe(e));
            return Main.EXIT_FAILURE;
        }
        Thread hangUp = new Thread(session::close, "viz-hang-up");
        Runtime.getRuntime().addShutdownHook(hangUp);
        try (session) {
            try {
                session.start();
            } catch (IOException e) {
                err.println("viz: " + describe(e));
                return Main.EXIT_FAILURE;
            }
            err.println("viz: " + banner + " (" + session.format() + ", " + session.framesPerBatch()
                    + " frames per datagram, " + (session.transport().isSecure() ? "end-to-end encrypted" : "PLAINTEXT")
                    + ")");
            err.flush();
            PrintStream statusOut = new PrintStream(System.err, true, StandardCharsets.UTF_8);
            // Keys only when stdin is a terminal; the terminal is restored at the end, also on Ctrl-C.
            TerminalKeys keys = TerminalKeys.startOnTerminal(session, statusOut);
            Thread restoreTerminal = keys == null ? null : new Thread(keys::close, "viz-restore-terminal");
            if (restoreTerminal != null) {
                Runtime.getRuntime().addShutdownHook(restoreTerminal);
            }
            try (StatusLine status = new StatusLine(session, statusOut, listening)) {
                status.start();
                session.awaitEnd();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (keys != null) {
                    keys.close();
                    try {
                        Runtime.getRuntime().removeShutdownHook(restoreTerminal);
                    } catch (IllegalStateException shuttingDown) {
                        // Ctrl-C: the hook restores the terminal.
                    }
                }
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hangUp);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is running; the call is already over.
        }
        if (statsFile != null) {
            try {
                String json = session.stats().toJson();
                int end = json.lastIndexOf('}');
                Files.writeString(statsFile, json.substring(0, end).stripTrailing() + extraStats.get() + "\n}\n",
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("viz: cannot write stats to " + statsFile + ": " + describe(e));
                return Main.EXIT_FAILURE;
            }
        }
        err.println("viz: call ended: " + session.endReason());
        return session.failure() == null ? 0 : Main.EXIT_FAILURE;
    }

    /** Prints what a user must see at once: the peer, the verification code, errors. */
    static final class CliListener implements SessionListener {
        private final PrintWriter err;
        /** The peer key whose code was printed; the listener's callbacks come from the network thread only. */
        private String securedKey;

        CliListener(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void onPeerChanged(VoiceSession session, String peer) {
            long connectedS = session.stats().get(dev.viz.core.Stat.CONNECTED_NS) / 1_000_000_000L;
            err.println("viz: peer " + peer + (connectedS > 0 ? String.format(" (%d:%02d into the call)", connectedS / 60,
                    connectedS % 60) : ""));
            err.flush();
        }

        /**
         * Each handshake has its own code (it is derived from the handshake's transcript), so a call that
         * re-handshakes (after an outage, a restart of the peer) gets a new one. What the code proves is
         * that no one sits between the two keys; once the users compared it for this peer key, a new
         * session with the same key needs no new comparison, so the code is printed once per peer key.
         */
        @Override
        public void onSecured(VoiceSession session, String peerFingerprint, String verificationCode) {
            if (peerFingerprint != null && peerFingerprint.equals(securedKey)) {
                err.println("viz: secured again with the same peer key (no new code to compare)");
                err.flush();
                return;
            }
            securedKey = peerFingerprint;
            err.println("viz: secured with peer key " + peerFingerprint);
            err.println("viz: verification code " + verificationCode + "  (compare it with your peer by voice)");
            err.flush();
        }

        @Override
        public void onError(VoiceSession session, String message, Throwable cause) {
            err.println("viz: " + message);
            err.flush();
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = VizCommand.class.getPackage().getImplementationVersion();
            return new String[] {"viz " + (version == null ? "(development build)" : version),
                "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name")};
        }
    }
}
