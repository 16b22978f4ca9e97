package dev.viz.transport.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SocketAddressTextTest {
    private static String text(String host, int port) throws Exception {
        return SocketAddressText.of(new InetSocketAddress(InetAddress.getByName(host), port));
    }

    @Test
    void shouldWriteIpv6InBracketsTheRfc5952Way() throws Exception {
        assertEquals("[::1]:28460", text("0:0:0:0:0:0:0:1", 28460));
        assertEquals("[2001:db8::1]:443", text("2001:0DB8:0:0:0:0:0:0001", 443));
        assertEquals("[2001:db8:0:1:1:1:1:1]:1", text("2001:db8:0:1:1:1:1:1", 1), "one zero group stays");
        assertEquals("[2001:db8::1:0:0:1]:1", text("2001:db8:0:0:1:0:0:1", 1), "the first of equal runs");
        assertEquals("[2001:0:0:1::1]:1", text("2001:0:0:1:0:0:0:1", 1), "the longest run");
        assertEquals("[::]:9", text("::", 9));
        assertEquals("[fe80::]:9", text("fe80:0:0:0:0:0:0:0", 9));
    }

    @Test
    void shouldWriteIpv4AsItIs() throws Exception {
        assertEquals("192.0.2.7:8443", text("192.0.2.7", 8443));
        assertEquals("127.0.0.1:1", text("::ffff:127.0.0.1", 1), "a mapped address is IPv4 to Java");
    }
}
