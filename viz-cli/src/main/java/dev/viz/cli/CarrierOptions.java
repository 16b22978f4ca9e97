package dev.viz.cli;

import dev.viz.core.Transport;
import dev.viz.transport.reach.CallAddress;
import dev.viz.transport.reach.FallbackTransport;
import dev.viz.transport.reach.ListenTransport;
import dev.viz.transport.stream.StreamTransport;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * What carries the call: the address forms of {@code -c} and which carriers {@code -s} accepts.
 * Keeps the transports it made so the stats file can say which carrier was used and what a stream
 * shed.
 */
final class CarrierOptions {
    @Option(names = "--carriers", paramLabel = "LIST", defaultValue = "udp,tcp,ws", split = ",",
            description = "With -s: what the port accepts, any of udp, tcp (raw TCP, 2-byte lengths) and ws"
                    + " (WebSocket at /viz, and a GET / page), all on the same port number (default: ${DEFAULT-VALUE}).")
    String[] carriers;

    private Transport made;

    /** The listening transport for {@code -s PORT}. */
    Transport listen(int port, int maxDatagramBytes, java.util.function.Supplier<String> fingerprint) {
        boolean udp = false;
        boolean tcp = false;
        boolean ws = false;
        for (String c : carriers) {
            switch (c.trim().toLowerCase(Locale.ROOT)) {
                case "udp" -> udp = true;
                case "tcp" -> tcp = true;
                case "ws", "websocket" -> ws = true;
                default -> throw new IllegalArgumentException("--carriers " + c + ": use udp, tcp and ws, comma-separated");
            }
        }
        ListenTransport.Builder b = ListenTransport.on(port).udp(udp).rawTcp(tcp).webSocket(ws).fingerprint(fingerprint);
        if (tcp || ws) {
            b.maxPayloadBytes(maxDatagramBytes);
        } else if (maxDatagramBytes != b.build().maxPayloadBytes()) {
            return made = dev.viz.transport.udp.UdpTransport.listen(new java.net.InetSocketAddress(port), maxDatagramBytes);
        }
        made = b.build();
        return made;
    }

    /** The calling transport for {@code -c ADDRESS}. */
    Transport call(String address, int maxDatagramBytes, java.time.Duration connectTimeout) {
        CallAddress a = CallAddress.parse(address);
        made = a.transport(maxDatagramBytes, null, connectTimeout);
        return made;
    }

    /** What the banner says, e.g. "listening on UDP port 8443 (and TCP: raw streams, WebSocket at /viz)". */
    String listenBanner(int port) {
        if (made instanceof ListenTransport l) {
            String name = l.name();
            boolean udp = name.contains("udp");
            boolean tcp = name.contains("tcp");
            boolean ws = name.contains("ws");
            String streams = (tcp ? "raw streams" : "") + (tcp && ws ? ", " : "") + (ws ? "WebSocket at /viz" : "");
            if (udp) {
                return "listening on UDP port " + port + (tcp || ws ? " (and TCP: " + streams + ")" : "");
            }
            return "listening on TCP port " + port + " (" + streams + ")";
        }
        return "listening on UDP port " + port;
    }

    /** JSON members (with a leading comma) for the stats file: the carrier in use and the batches a stream shed. */
    String statsJson() {
        String carrier = null;
        long dropped = 0;
        long connects = 0;
        if (made instanceof ListenTransport l) {
            carrier = l.carrier();
            dropped = l.stat(ListenTransport.Stat.BATCHES_DROPPED);
            return ",\n  \"carrier\": " + quote(carrier) + ",\n  \"streamBatchesDropped\": " + dropped
                    + ",\n  \"connectionsRefused\": " + l.stat(ListenTransport.Stat.CONNECTIONS_REFUSED)
                    + ",\n  \"connectionsTimedOut\": " + l.stat(ListenTransport.Stat.CONNECTIONS_TIMED_OUT)
                    + ",\n  \"streamFramesDropped\": " + l.stat(ListenTransport.Stat.FRAMES_DROPPED);
        }
        StreamTransport stream = null;
        if (made instanceof FallbackTransport f) {
            carrier = f.carrier();
            stream = "tcp".equals(carrier) ? f.tcp() : null;
        } else if (made instanceof StreamTransport s) {
            stream = s;
            carrier = s.isWebSocket() ? "ws" : "tcp";
        } else if (made != null) {
            carrier = "udp";
        }
        if (stream != null) {
            dropped = stream.droppedBatches();
            connects = stream.connects();
        }
        return ",\n  \"carrier\": " + quote(carrier) + ",\n  \"streamBatchesDropped\": " + dropped
                + ",\n  \"streamConnects\": " + connects;
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
