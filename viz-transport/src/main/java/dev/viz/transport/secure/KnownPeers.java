package dev.viz.transport.secure;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The peers a user has called before, by address, like SSH's {@code known_hosts}: the first call
 * to an address remembers the key that answered; a later call that meets another key raises a loud
 * warning (the call goes on, and the users should compare the verification code). The remembered
 * key is not replaced: to accept a peer's new key, delete its line from the file.
 *
 * <p>Only the calling side uses it: a listener's callers come from ever-changing addresses.
 * File (by default {@link #defaultFile()}), one peer per line, {@code #} starts a comment:
 *
 * <pre>
 * # address            fingerprint
 * example.net:8443     3q2gk...
 * </pre>
 *
 * <p>Thread-safe.
 */
public final class KnownPeers {
    /** The file name inside the configuration directory. */
    public static final String FILE_NAME = "known_peers";

    /** What a key means for an address. */
    public enum Match {
        /** The address was never seen. */
        NEW,
        /** The address is known with this very key. */
        SAME,
        /** The address is known with another key: someone may be in the middle. */
        CHANGED
    }

    private final Path file;
    private final Map<String, String> fingerprints = new LinkedHashMap<>();

    private KnownPeers(Path file) {
        this.file = file;
    }

    /** {@code Identity.configDirectory()/known_peers}. */
    public static Path defaultFile() {
        return Identity.configDirectory().resolve(FILE_NAME);
    }

    /** The user's default file (which need not exist yet). */
    public static KnownPeers openDefault() throws IOException {
        return open(defaultFile());
    }

    /**
     * Reads {@code file} when it exists; it is created (mode 0600) when the first peer is remembered.
     *
     * @throws IOException when the file exists but cannot be read, naming it
     */
    public static KnownPeers open(Path file) throws IOException {
        KnownPeers peers = new KnownPeers(file);
        if (Files.exists(file)) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException("cannot read the known peers file " + file + ": " + e.getMessage(), e);
            }
            int lineNumber = 0;
            for (String line : text.split("\n")) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                String[] fields = trimmed.split("\\s+");
                if (fields.length != 2) {
                    throw new IOException(file + " line " + lineNumber + ": expected 'ADDRESS FINGERPRINT'");
                }
                try {
                    Identity.parseFingerprint(fields[1]);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + " line " + lineNumber + ": " + e.getMessage(), e);
                }
                peers.fingerprints.putIfAbsent(normalise(fields[0]), fields[1].toLowerCase(Locale.ROOT));
            }
        }
        return peers;
    }

    /** A list that lives only in memory. */
    public static KnownPeers inMemory() {
        return new KnownPeers(null);
    }

    /** How {@code publicKey} compares with what is remembered for {@code address}. */
    public synchronized Match check(String address, byte[] publicKey) {
        String known = fingerprints.get(normalise(address));
        if (known == null) {
            return Match.NEW;
        }
        return known.equals(Identity.fingerprintOf(publicKey)) ? Match.SAME : Match.CHANGED;
    }

    /** The fingerprint remembered for {@code address}, or null. */
    public synchronized String fingerprint(String address) {
        return fingerprints.get(normalise(address));
    }

    /**
     * Remembers {@code publicKey} for {@code address} when the address is new (a known address keeps
     * its first key), appending a line to the file.
     *
     * @throws IOException when the file cannot be written
     */
    public synchronized void remember(String address, byte[] publicKey) throws IOException {
        String key = normalise(address);
        if (fingerprints.containsKey(key)) {
            return;
        }
        String fingerprint = Identity.fingerprintOf(publicKey);
        fingerprints.put(key, fingerprint);
        if (file == null) {
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            ConfigFiles.createDirectories(parent);
        }
        boolean created = false;
        if (!Files.exists(file)) {
            ConfigFiles.createOwnerOnly(file);
            created = true;
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            if (created) {
                out.write("# Viz known peers: ADDRESS FINGERPRINT. Delete a line to accept that peer's new key.\n");
            }
            out.write(key + " " + fingerprint + "\n");
        }
    }

    /** The file behind this list, or null when it lives in memory. */
    public Path file() {
        return file;
    }

    private static String normalise(String address) {
        return address.strip().toLowerCase(Locale.ROOT);
    }
}
