package dev.viz.transport.internal;

import java.net.InetAddress;

/**
 * A sending host as a number, for the rate limits ({@code Transport#lastSourceKey}): the IPv4
 * address, or the IPv6 /64 prefix (one host usually holds a whole /64), ports ignored; never 0 for
 * an address, so 0 keeps meaning "unknown", and an IPv4 key never equals an IPv6 one. Every carrier computes it here, so one host has one key
 * whichever socket its datagrams reach.
 */
public final class SourceKeys {
    private SourceKeys() {
    }

    /** The key of {@code ip[0 .. length)}, an IPv4 (4 bytes) or IPv6 (16 bytes) address; 0 for another length. */
    public static long of(byte[] ip, int length) {
        long key = 0;
        for (int i = 0; i < Math.min(8, length); i++) {
            key = key << 8 | (ip[i] & 0xFF);
        }
        if (length == 4) {
            return key | 1L << 40;
        }
        // The /64 prefix itself, so neighbouring prefixes never share a key; the reserved prefixes
        // below 2^41 (::, ::1, IPv4-mapped) are moved above the IPv4 keys, which lie in [2^40, 2^41).
        return length == 16 ? (Long.compareUnsigned(key, 1L << 41) < 0 ? key | 1L << 41 : key) : 0;
    }

    /** The key of {@code address}; allocates its bytes. */
    public static long of(InetAddress address) {
        byte[] ip = address.getAddress();
        return of(ip, ip.length);
    }
}
