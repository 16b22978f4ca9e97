package dev.viz.cli;

import dev.viz.transport.turn.TurnServer;
import dev.viz.transport.turn.TurnTransport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;

/**
 * The CLI's use of a TURN relay: the listener's relay (from {@code --relay} / {@code VIZ_RELAY} and
 * {@code --relay-secret} / {@code VIZ_RELAY_SECRET}), its invite, and the caller's transport from an
 * invite. Kept apart from {@link VizCommand} so the option parsing there stays small.
 */
final class RelaySetup {
    /** How long the credentials in an invite last when the listener holds the relay's secret. */
    static final Duration INVITE_LIFETIME = Duration.ofHours(24);
    /** The listener's own time-limited credentials: long enough for a listener left running. */
    static final Duration LISTENER_LIFETIME = Duration.ofDays(7);

    private final TurnServer relay;
    private final String secret;

    private RelaySetup(TurnServer relay, String secret) {
        this.relay = relay;
        this.secret = secret;
    }

    /**
     * The relay the user named, or null when none.
     *
     * @throws IllegalArgumentException for a bad URI, or a URI without credentials and no secret
     */
    static RelaySetup fromOptionsOrEnvironment(String uriOption, String secretOption) {
        String uri = uriOption != null ? uriOption : System.getenv("VIZ_RELAY");
        String secret = secretOption != null ? secretOption : System.getenv("VIZ_RELAY_SECRET");
        if (uri == null || uri.isBlank()) {
            if (secret != null && !secret.isBlank() && secretOption != null) {
                throw new IllegalArgumentException("--relay-secret needs --relay turn:HOST:PORT (or VIZ_RELAY)");
            }
            return null;
        }
        TurnServer server = TurnServer.parse(uri);
        if (secret != null && secret.isBlank()) {
            secret = null;
        }
        if (secret == null && !server.hasCredentials()) {
            throw new IllegalArgumentException("the relay " + server + " needs credentials: turn:USER:PASS@HOST:PORT, or"
                    + " --relay-secret (VIZ_RELAY_SECRET) for a coturn with use-auth-secret");
        }
        return new RelaySetup(server, secret);
    }

    TurnTransport listener(int maxDatagramBytes) {
        TurnServer own = secret != null
                ? relay.withTimeLimitedCredentials(secret, "viz-listener", LISTENER_LIFETIME, nowS())
                : relay;
        return TurnTransport.builder(own).maxDatagramBytes(maxDatagramBytes).build();
    }

    static TurnTransport caller(Invite invite, int maxDatagramBytes) {
        return TurnTransport.builder(invite.relay()).peer(invite.peer()).maxDatagramBytes(maxDatagramBytes).build();
    }

    /** Allocates on the relay and prints the invite: the command on standard output, the rest on standard error. */
    void printInvite(TurnTransport listener, String fingerprint, PrintWriter out, PrintWriter err) throws IOException {
        listener.allocate();
        InetSocketAddress relayed = listener.relayedAddress();
        TurnServer forCaller;
        long expires;
        if (secret != null) {
            forCaller = relay.withTimeLimitedCredentials(secret, "viz-caller", INVITE_LIFETIME, nowS());
            expires = forCaller.credentialsExpiryEpochS();
        } else {
            forCaller = relay;
            expires = 0;
        }
        Invite invite = new Invite(relayed, forCaller, fingerprint, expires);
        err.println("viz: allocated " + relayed.getAddress().getHostAddress() + ":" + relayed.getPort() + " on the relay "
                + relay + "; this side's public address as the relay sees it: "
                + (listener.mappedAddress() == null ? "unknown" : listener.mappedAddress().getAddress().getHostAddress() + ":"
                + listener.mappedAddress().getPort()));
        err.println("viz: send your peer this line (valid " + (expires > 0 ? "until " + Instant.ofEpochSecond(expires)
                + " and while this listener runs" : "while this listener runs") + "):");
        if (secret == null) {
            err.println("viz: note: it carries the relay's USER:PASS; with --relay-secret it would carry time-limited"
                    + " credentials instead");
        }
        err.flush();
        out.println(invite.command());
        out.flush();
    }

    private static long nowS() {
        return System.currentTimeMillis() / 1000;
    }
}
