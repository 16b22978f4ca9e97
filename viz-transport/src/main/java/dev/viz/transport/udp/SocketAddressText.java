package dev.viz.transport.udp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * How a peer's address is shown to users: {@code 192.0.2.7:8443}, and for IPv6 the RFC 5952 text in
 * brackets, {@code [2001:db8::1]:8443} or {@code [::1]:28460} (lowercase hex, no leading zeros,
 * the longest run of two or more zero groups written {@code ::}), which is also what {@code -c}
 * takes back. Java's own {@code getHostAddress()} writes {@code 0:0:0:0:0:0:0:1}, which cannot be
 * told from the port. Any thread; allocates (not for the hot path: it runs when the peer changes).
 */
public final class SocketAddressText {
    private SocketAddressText() {
    }

    /** {@code HOST:PORT}, with an IPv6 host compressed and in brackets (its scope, if any, after a {@code %}). */
    public static String of(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        if (ip instanceof Inet6Address v6) {
            return "[" + compress(v6.getAddress()) + scope(v6) + "]:" + address.getPort();
        }
        return ip.getHostAddress() + ":" + address.getPort();
    }

    /** The RFC 5952 section 4 text of a 16-byte IPv6 address. */
    static String compress(byte[] bytes) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xFF) << 8 | bytes[2 * i + 1] & 0xFF;
        }
        // The longest run of zero groups, at least two long; the first of equal runs (4.2.3).
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    private static String scope(Inet6Address v6) {
        if (v6.getScopedInterface() != null) {
            return "%" + v6.getScopedInterface().getName();
        }
        return v6.getScopeId() != 0 ? "%" + v6.getScopeId() : "";
    }
}
