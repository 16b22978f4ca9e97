package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.transport.turn.TurnServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InviteTest {
    @Test
    void shouldRoundTripAnInviteWithTimeLimitedCredentialsAndNoSecret() throws Exception {
        TurnServer relay = TurnServer.parse("turns:relay.example.net:443")
                .withTimeLimitedCredentials("s3cret", "caller", Duration.ofHours(2), 1_800_000_000L);
        Invite invite = new Invite(new InetSocketAddress(InetAddress.getByName("203.0.113.5"), 49731), relay,
                "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst", relay.credentialsExpiryEpochS());
        String line = invite.command();
        assertTrue(line.startsWith("viz -c 'viz:relay?"), line);
        assertFalse(line.contains("s3cret"), "never the secret: " + line);
        assertFalse(invite.format().matches("(?s).*[\\s'].*"), "one shell word, safe in single quotes: " + line);
        Invite back = Invite.parse(invite.format());
        assertEquals(invite, back);
        assertEquals(relay.username(), back.relay().username());
        assertEquals(relay.password(), back.relay().password());
        assertEquals(TurnServer.Carrier.TLS, back.relay().carrier());
        assertEquals(1_800_007_200L, back.expiresEpochS());
        assertTrue(back.isExpired(1_800_007_200L));
        assertFalse(back.isExpired(1_800_007_199L));
        assertEquals(invite, Invite.parse("'" + invite.format() + "'"), "quotes pasted with it are fine");
    }

    @Test
    void shouldKeepPlainCredentialsWithOddCharactersAndNeverExpire() throws Exception {
        TurnServer relay = TurnServer.parse("turn:us%40er:p%3Aa%26ss@[2001:db8::1]:3478?transport=tcp");
        assertEquals("us@er", relay.username());
        assertEquals("p:a&ss", relay.password());
        Invite invite = new Invite(new InetSocketAddress(InetAddress.getByName("2001:db8::2"), 5000), relay, "KEY", 0);
        Invite back = Invite.parse(invite.format());
        assertEquals(invite, back);
        assertEquals(TurnServer.Carrier.TCP, back.relay().carrier());
        assertFalse(back.isExpired(Long.MAX_VALUE - 1));
        assertTrue(back.expiry().contains("never"));
    }

    @Test
    void shouldExplainDamagedInvites() {
        for (String bad : new String[] {"viz:nope", "viz:relay?peer=1.2.3.4:5", "viz:relay?peer=host:5&turn=turn:a:b@h&key=K",
            "viz:relay?peer=1.2.3.4:99999&turn=turn:a:b@h&key=K", "viz:relay?peer=1.2.3.4:5&turn=http://x&key=K",
            "viz:relay?garbage"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Invite.parse(bad), bad);
            assertTrue(e.getMessage().contains("invite") || e.getMessage().contains("TURN"), e.getMessage());
        }
    }
}
