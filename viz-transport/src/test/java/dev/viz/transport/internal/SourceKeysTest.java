package dev.viz.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** One sending host, one key for the rate limits, whichever carrier computed it. */
class SourceKeysTest {

    @Test
    void shouldGiveAHostTheSameKeyFromItsAddressAndFromItsBytes() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.7");
        assertEquals(SourceKeys.of(v4), SourceKeys.of(new byte[] {(byte) 192, 0, 2, 7, 9, 9}, 4));
        assertNotEquals(0, SourceKeys.of(v4));
    }

    @Test
    void shouldKeyIpv6ByItsSlash64AndIpv4ByTheWholeAddress() throws Exception {
        assertEquals(SourceKeys.of(InetAddress.getByName("2001:db8:1:2::1")),
                SourceKeys.of(InetAddress.getByName("2001:db8:1:2:ffff::9")), "one /64, one host");
        assertNotEquals(SourceKeys.of(InetAddress.getByName("2001:db8:1:2::1")),
                SourceKeys.of(InetAddress.getByName("2001:db8:1:3::1")));
        assertNotEquals(SourceKeys.of(InetAddress.getByName("192.0.2.7")), SourceKeys.of(InetAddress.getByName("192.0.2.8")));
        // An IPv4 address never shares a key with the IPv6 prefix that starts with the same bytes.
        assertNotEquals(SourceKeys.of(InetAddress.getByName("192.0.2.7")),
                SourceKeys.of(InetAddress.getByName("c000:207::1")));
    }

    @Test
    void shouldAnswerZeroForBytesThatAreNoAddress() {
        assertEquals(0, SourceKeys.of(new byte[8], 8));
    }
}
