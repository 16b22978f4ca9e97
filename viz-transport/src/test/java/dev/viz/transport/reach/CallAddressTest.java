package dev.viz.transport.reach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.transport.stream.StreamTransport;
import dev.viz.transport.udp.UdpTransport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every address form a user copies from a tunnel, and what it means. */
class CallAddressTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "example.net:8443, example.net:8443",
        "[::1]:8443, [::1]:8443",
        "udp://example.net:8443, udp://example.net:8443",
        "tcp://bore.pub:41234, tcp://bore.pub:41234",
        "ws://example.net, ws://example.net:80/viz",
        "ws://example.net:8443/other, ws://example.net:8443/other",
        "wss://example.net, wss://example.net:443/viz",
        "https://name.trycloudflare.com, wss://name.trycloudflare.com:443/viz",
        "https://name.trycloudflare.com/, wss://name.trycloudflare.com:443/viz",
        "https://host.example/prefix/, wss://host.example:443/prefix/viz",
        "https://host.example:4443/viz, wss://host.example:4443/viz",
        "http://localhost:8080, ws://localhost:8080/viz",
        "HTTPS://Name.Example, wss://Name.Example:443/viz",
    })
    void shouldReadEveryAddressForm(String address, String meaning) {
        assertEquals(meaning, CallAddress.parse(address).toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ftp://host:21 | unknown scheme",
        "tcp://host | needs a port",
        "udp://host:1/path | has no path",
        "https:// | not an address",
        "nocolon | HOST:PORT",
        "ws://host:70000 | port",
    })
    void shouldExplainABadAddress(String address, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CallAddress.parse(address));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"example.net:8443, FallbackTransport", "tcp://h:1, StreamTransport", "wss://h, StreamTransport",
        "udp://h:1, UdpTransport"})
    void shouldMakeTheTransportTheAddressAsksFor(String address, String type) {
        var t = CallAddress.parse(address).transport(UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES, null);
        assertEquals(type, t.getClass().getSimpleName());
        if (t instanceof StreamTransport s) {
            assertEquals(address.startsWith("wss"), s.isWebSocket());
        }
        t.close();
    }
}
