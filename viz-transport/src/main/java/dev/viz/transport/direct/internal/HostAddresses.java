package dev.viz.transport.direct.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** This host's own addresses, the host candidates of the direct path. Allocates; called when candidates are sent. */
public final class HostAddresses {
    private HostAddresses() {
    }

    /**
     * The addresses of the interfaces that are up: IPv4 first, then IPv6 without link-local ones,
     * each with loopback last; empty when the interfaces cannot be listed.
     */
    public static List<InetAddress> list() {
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp()) {
                    continue;
                }
                for (InetAddress ip : Collections.list(ni.getInetAddresses())) {
                    if (ip instanceof Inet4Address) {
                        v4.add(ip);
                    } else if (ip instanceof Inet6Address six && !six.isLinkLocalAddress()) {
                        v6.add(ip);
                    }
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        v4.sort((x, y) -> Boolean.compare(x.isLoopbackAddress(), y.isLoopbackAddress()));
        v6.sort((x, y) -> Boolean.compare(x.isLoopbackAddress(), y.isLoopbackAddress()));
        v4.addAll(v6);
        return v4;
    }
}
