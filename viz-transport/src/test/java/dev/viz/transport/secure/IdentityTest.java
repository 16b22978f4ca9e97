package dev.viz.transport.secure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.viz.core.Transport;
import dev.viz.core.spi.Providers;
import dev.viz.core.spi.TransportSecurityProvider;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {
    @TempDir
    Path dir;

    @Test
    void shouldCreateTheIdentityOnFirstUseOwnerOnlyAndLoadTheSameAfterwards() throws Exception {
        Path file = dir.resolve("viz").resolve("identity");
        Identity created = Identity.loadOrCreate(file);
        assertTrue(Files.exists(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        Identity loaded = Identity.loadOrCreate(file);
        assertEquals(created.fingerprint(), loaded.fingerprint());
        assertArrayEquals(created.publicKey(), loaded.publicKey());
        assertTrue(Files.readString(file).contains(created.fingerprint()), "the file names its fingerprint");
        assertEquals(file, loaded.file());
    }

    @Test
    void shouldSayClearlyWhenTheFileIsNotAnIdentity() throws Exception {
        Path file = dir.resolve("identity");
        Files.writeString(file, "hello\n");
        IOException e = assertThrows(IOException.class, () -> Identity.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("not a Viz identity file"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--identity"), e.getMessage());
    }

    @Test
    void shouldSayClearlyWhenTheFileCannotBeRead() throws Exception {
        Path directory = dir.resolve("identity");
        Files.createDirectory(directory); // unreadable as a file, even for root
        IOException e = assertThrows(IOException.class, () -> Identity.loadOrCreate(directory));
        assertTrue(e.getMessage().startsWith("cannot read the identity file " + directory), e.getMessage());
    }

    @Test
    void shouldSayPermissionDeniedForAnUnreadableFile() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads any file: mode 000 proves nothing");
        Path file = dir.resolve("identity");
        Identity.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        IOException e = assertThrows(IOException.class, () -> Identity.load(file));
        assertTrue(e.getMessage().contains("permission denied") && e.getMessage().contains("chmod 600"), e.getMessage());
    }

    @Test
    void shouldSayWhereItCannotCreateTheFile() throws Exception {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        IOException e = assertThrows(IOException.class, () -> Identity.loadOrCreate(blocker.resolve("identity")));
        assertTrue(e.getMessage().startsWith("cannot create the identity file"), e.getMessage());
    }

    @Test
    void shouldWriteAndParseFingerprintsOfTheWholeKey() {
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            String fingerprint = Identity.fingerprintOf(key);
            assertEquals(Identity.FINGERPRINT_LENGTH, fingerprint.length());
            assertTrue(fingerprint.matches("[a-z2-7]+"), fingerprint);
            assertArrayEquals(key, Identity.parseFingerprint(fingerprint));
            assertArrayEquals(key, Identity.parseFingerprint(" " + fingerprint.toUpperCase().substring(0, 20) + "-"
                    + fingerprint.substring(20) + "\n"), "case, dashes and spaces are ignored");
        }
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                () -> Identity.parseFingerprint("abc"));
        assertTrue(tooShort.getMessage().contains("52 characters"), tooShort.getMessage());
        String valid = Identity.generate().fingerprint();
        assertThrows(IllegalArgumentException.class, () -> Identity.parseFingerprint(valid.substring(0, 51) + "1"));
        assertThrows(IllegalArgumentException.class, () -> Identity.parseFingerprint(valid.substring(0, 51) + "b"),
                "a last character with bits beyond the key is a typo");
        assertNotEquals(Identity.generate().fingerprint(), Identity.generate().fingerprint());
    }

    @Test
    void shouldRememberKnownPeersInAnOwnerOnlyFileAndReadThemBack() throws Exception {
        Path file = dir.resolve("known_peers");
        KnownPeers peers = KnownPeers.open(file);
        byte[] key = Identity.generate().publicKey();
        assertEquals(KnownPeers.Match.NEW, peers.check("Example.NET:8443", key));
        peers.remember("Example.NET:8443", key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        KnownPeers reread = KnownPeers.open(file);
        assertEquals(KnownPeers.Match.SAME, reread.check("example.net:8443", key), "addresses ignore case");
        assertEquals(KnownPeers.Match.CHANGED, reread.check("example.net:8443", Identity.generate().publicKey()));
        reread.remember("example.net:8443", Identity.generate().publicKey());
        assertEquals(Identity.fingerprintOf(key), KnownPeers.open(file).fingerprint("example.net:8443"),
                "a known address keeps its first key");
        Files.writeString(file, "broken line with three fields\n");
        IOException e = assertThrows(IOException.class, () -> KnownPeers.open(file));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void shouldMakeThePlainBuilderSecureByDefaultWithTheUsersIdentity() throws Exception {
        TransportSecurityProvider provider = Providers.best(TransportSecurityProvider.class,
                TransportSecurityProvider::priority);
        assertTrue(provider != null, "registered in META-INF/services");
        Transport plain = UdpTransport.connect("127.0.0.1", 9);
        assertFalse(plain.isSecure());
        Transport secure = provider.secure(plain);
        assertTrue(secure.isSecure());
        SecureTransport layer = (SecureTransport) secure;
        // The test run points the configuration directory at target/test-config (viz.config.dir).
        assertEquals(Identity.defaultFile(), layer.identity().file());
        assertTrue(Identity.defaultFile().startsWith(Path.of(System.getProperty("viz.config.dir"))));
        assertEquals(layer.identity().fingerprint(), Identity.loadOrCreateDefault().fingerprint(), "the same identity");
        secure.close();
    }
}
