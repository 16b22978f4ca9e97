package dev.viz.transport.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TurnServerTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "turn:u:p@relay.example.net                       | UDP | relay.example.net | 3478",
        "turn:u:p@relay.example.net:3479                  | UDP | relay.example.net | 3479",
        "turn:u:p@relay.example.net:443?transport=tcp     | TCP | relay.example.net | 443",
        "turns:u:p@relay.example.net                      | TLS | relay.example.net | 5349",
        "TURNS:u:p@relay.example.net:443?transport=tcp    | TLS | relay.example.net | 443",
        "turn:u:p@[2001:db8::1]:3478                      | UDP | 2001:db8::1       | 3478",
        "turn://u:p@10.0.0.1:3478?transport=udp           | UDP | 10.0.0.1          | 3478",
    })
    void shouldParseEveryFormOfTurnUri(String uri, TurnServer.Carrier carrier, String host, int port) {
        TurnServer server = TurnServer.parse(uri);
        assertEquals(carrier, server.carrier());
        assertEquals(host, server.host());
        assertEquals(port, server.port());
        assertEquals("u", server.username());
        assertEquals("p", server.password());
        assertEquals(server, TurnServer.parse(server.toUri()), "toUri parses back");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://relay                     | not a TURN URI",
        "turn:u:p@                        | no relay host",
        "turn:u:p@host:0                  | port",
        "turn:u:p@host:abc                | port",
        "turn:up@host                     | USER:PASS@",
        "turn:u:p@host?transport=sctp     | unknown or impossible",
        "turns:u:p@host?transport=udp     | unknown or impossible",
        "turn:u:p@[::1                    | unclosed",
    })
    void shouldExplainBadUrisWithoutShowingThePassword(String uri, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TurnServer.parse(uri));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains(":p@"), "password hidden: " + e.getMessage());
    }

    @Test
    void shouldMakeCoturnsTimeLimitedCredentials() {
        // Independently: echo -n "1800003600:bob" | openssl dgst -sha1 -hmac s3cret -binary | base64
        TurnServer server = TurnServer.parse("turn:relay:3478")
                .withTimeLimitedCredentials("s3cret", "bob", Duration.ofHours(1), 1_800_000_000L);
        assertEquals("1800003600:bob", server.username());
        assertEquals("UCLwg6jA2K1wIW/yHS5iTP0euTQ=", server.password());
        assertEquals(1_800_003_600L, server.credentialsExpiryEpochS());
        assertEquals(-1, TurnServer.parse("turn:alice:pw@relay").credentialsExpiryEpochS());
        assertEquals(server, TurnServer.parse(server.toUri()), "the ':' and '/' of the pair survive the URI");
        assertFalse(server.toString().contains(server.password()), server.toString());
    }
}
