package dev.viz.cli;

import dev.viz.core.Transport;
import dev.viz.transport.direct.DirectPathTransport;
import dev.viz.transport.turn.TurnServer;
import dev.viz.transport.udp.UdpTransport;
import java.net.InetSocketAddress;
import picocli.CommandLine.Option;

/**
 * The CLI's direct path: {@code --direct on|off} and {@code --stun HOST:PORT}. A call through a
 * relay looks for a direct path by default (the relay answers STUN, so no third party is asked);
 * a call over another carrier (a tunnel, a forwarded port) does when {@code --stun} names a server.
 * Kept apart from {@link VizCommand} as {@link CarrierOptions} is.
 */
final class DirectOptions {
    @Option(names = "--direct", paramLabel = "on|off", defaultValue = "on",
            description = "Move the call to a direct path between the two hosts when the NATs allow it, keeping the"
                    + " relay or tunnel as the fallback (with --relay, an invite, or --stun) (default: ${DEFAULT-VALUE}).")
    String direct;

    @Option(names = "--stun", paramLabel = "HOST:PORT",
            description = "A STUN server to learn this side's public address from, for a direct path beside a tunnel"
                    + " or forwarded port (none is asked unless named; a relay answers STUN itself).")
    String stun;

    /** The decorator made, or null. */
    private DirectPathTransport made;

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException with the message for the user
     */
    void validate() {
        if (!"on".equals(direct) && !"off".equals(direct)) {
            throw new IllegalArgumentException("--direct " + direct + ": use on or off");
        }
        if (stun != null) {
            stunAddress();
        }
    }

    private InetSocketAddress stunAddress() {
        UdpTransport.HostPort hp;
        try {
            hp = UdpTransport.HostPort.parse(stun);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--stun " + stun + ": use HOST:PORT, for example stun.example.net:3478");
        }
        return new InetSocketAddress(hp.host(), hp.port());
    }

    /**
     * Wraps a relay's transport: the relay's own address answers STUN (its UDP port; 3478 when the
     * relay is reached over TCP or TLS, where coturn also listens for UDP).
     */
    Transport overRelay(Transport relay, TurnServer server) {
        if ("off".equals(direct)) {
            return relay;
        }
        InetSocketAddress stunServer = stun != null ? stunAddress()
                : new InetSocketAddress(server.host(), server.carrier() == TurnServer.Carrier.UDP ? server.port()
                        : TurnServer.DEFAULT_PORT);
        made = DirectPathTransport.over(relay).innerPath("relay").stun(stunServer).build();
        return made;
    }

    /** Wraps another carrier when --stun names a server; otherwise returns it as it is. */
    Transport overCarrier(Transport carrier) {
        if ("off".equals(direct) || stun == null) {
            return carrier;
        }
        made = DirectPathTransport.over(carrier).stun(stunAddress()).build(); // named tunnel or udp as it carries
        return made;
    }

    /** The stats file's members for the path (with a leading comma), or "" when there is no direct path. */
    String statsJson() {
        DirectPathTransport d = made;
        if (d == null) {
            return "";
        }
        return ",\n  \"path\": \"" + d.path() + "\",\n  \"pathChanges\": " + d.pathChanges()
                + ",\n  \"pathChangedAfterMs\": " + d.pathChangedAfterMs()
                + ",\n  \"directDataSent\": " + d.directDataSent() + ",\n  \"directDataReceived\": " + d.directDataReceived()
                + ",\n  \"fallbackDataSent\": " + d.innerDataSent() + ",\n  \"fallbackDataReceived\": "
                + d.innerDataReceived() + ",\n  \"directRttUs\": " + d.directRttUs()
                + ",\n  \"pathMessagesRejected\": " + d.pathMessagesRejected();
    }
}
