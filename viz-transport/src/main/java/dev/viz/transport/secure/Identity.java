package dev.viz.transport.secure;

import dev.viz.transport.secure.internal.KeyPair;
import dev.viz.transport.secure.internal.Sodium;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's long-term identity: an X25519 key pair whose public half, written as a
 * {@linkplain #fingerprint() fingerprint}, is what peers pin and remember.
 *
 * <p>Kept in a small text file, by default {@link #defaultFile()}
 * ({@code $XDG_CONFIG_HOME/viz/identity} or {@code ~/.config/viz/identity}), created on first use
 * with mode 0600 in a directory of mode 0700:
 *
 * <pre>
 * # Viz identity: an X25519 private key. Keep it secret.
 * # fingerprint: 3q2gk...
 * private-key 9vXh...base64...=
 * </pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class Identity {
    /** The file name inside the configuration directory. */
    public static final String FILE_NAME = "identity";
    private static final Logger LOG = LoggerFactory.getLogger(Identity.class);
    private static final String KEY_PREFIX = "private-key ";
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    /** Characters of a fingerprint: 32 bytes in base32, no padding. */
    public static final int FINGERPRINT_LENGTH = 52;

    private final KeyPair keyPair;
    private final Path file;
    private final String fingerprint;

    private Identity(KeyPair keyPair, Path file) {
        this.keyPair = keyPair;
        this.file = file;
        this.fingerprint = fingerprintOf(keyPair.publicKey());
    }

    /**
     * The directory Viz keeps the identity and the known peers in: the system property
     * {@code viz.config.dir} when set, else {@code $XDG_CONFIG_HOME/viz} (an absolute path), else
     * {@code ~/.config/viz}.
     */
    public static Path configDirectory() {
        return ConfigFiles.directory();
    }

    /** {@code configDirectory()/identity}. */
    public static Path defaultFile() {
        return configDirectory().resolve(FILE_NAME);
    }

    /** The user's default identity, created on first use. */
    public static Identity loadOrCreateDefault() throws IOException {
        return loadOrCreate(defaultFile());
    }

    /**
     * Loads the identity in {@code file}, or creates one there (mode 0600, parent directories 0700)
     * when the file does not exist.
     *
     * @throws IOException with a message that names the file and says what to do
     */
    public static Identity loadOrCreate(Path file) throws IOException {
        Sodium.ensureAvailable();
        if (Files.exists(file)) {
            return load(file);
        }
        KeyPair keys = KeyPair.generate();
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                ConfigFiles.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new IOException("cannot create the identity file " + file + ": cannot create its directory ("
                    + describe(e) + "); choose another place with --identity FILE", e);
        }
        try {
            ConfigFiles.createOwnerOnly(file);
        } catch (FileAlreadyExistsException e) {
            return load(file); // another process created it first
        } catch (IOException e) {
            throw new IOException("cannot create the identity file " + file + ": " + describe(e)
                    + " (choose another place with --identity FILE)", e);
        }
        String fingerprint = fingerprintOf(keys.publicKey());
        byte[] privateKey = keys.privateKey();
        String text = "# Viz identity: an X25519 private key. Keep it secret; anyone who has it can be you.\n"
                + "# fingerprint: " + fingerprint + "\n"
                + KEY_PREFIX + Base64.getEncoder().encodeToString(privateKey) + "\n";
        Arrays.fill(privateKey, (byte) 0);
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IOException("cannot write the identity file " + file + ": " + describe(e), e);
        }
        LOG.info("created a new identity in {} (fingerprint {})", file, fingerprint);
        return new Identity(keys, file);
    }

    /**
     * Loads the identity in {@code file}, which must exist.
     *
     * @throws IOException with a message that names the file and says what is wrong
     */
    public static Identity load(Path file) throws IOException {
        Sodium.ensureAvailable();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read the identity file " + file + ": " + describe(e)
                    + (e instanceof AccessDeniedException ? " (it must be readable by the user running viz: chmod 600 "
                            + file + ", or choose another with --identity FILE)" : ""), e);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        Arrays.fill(bytes, (byte) 0);
        byte[] privateKey = null;
        for (String line : text.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith(KEY_PREFIX)) {
                try {
                    privateKey = Base64.getDecoder().decode(trimmed.substring(KEY_PREFIX.length()).trim());
                } catch (IllegalArgumentException e) {
                    privateKey = null;
                }
                break;
            }
        }
        if (privateKey == null || privateKey.length != Sodium.X25519_KEY_BYTES) {
            throw new IOException(file + " is not a Viz identity file: expected a line 'private-key' followed by"
                    + " 32 bytes in base64 (move it away to create a new identity, or choose another with --identity FILE)");
        }
        if (ConfigFiles.isOpenToOthers(file)) {
            LOG.warn("the identity file {} can be read or written by other users: run chmod 600 {}", file, file);
        }
        KeyPair keys = KeyPair.fromPrivate(privateKey);
        Arrays.fill(privateKey, (byte) 0);
        return new Identity(keys, file);
    }

    /** A fresh identity that lives only in memory (tests, throwaway calls). */
    public static Identity generate() {
        Sodium.ensureAvailable();
        return new Identity(KeyPair.generate(), null);
    }

    /** The public key's fingerprint: what the peer passes to {@code --peer-key} to pin this identity. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The 32-byte X25519 public key (a copy). */
    public byte[] publicKey() {
        return keyPair.publicKey();
    }

    /** The file this identity was loaded from or created in; null for {@link #generate()}. */
    public Path file() {
        return file;
    }

    KeyPair keyPair() {
        return keyPair;
    }

    /**
     * The fingerprint of a public key: the key itself in lowercase base32 (RFC 4648 alphabet, no
     * padding), {@value #FINGERPRINT_LENGTH} characters. It is the whole key, not a hash of it, so a
     * pin is exactly as strong as the key.
     */
    public static String fingerprintOf(byte[] publicKey) {
        if (publicKey.length != Sodium.X25519_KEY_BYTES) {
            throw new IllegalArgumentException("a public key has 32 bytes, not " + publicKey.length);
        }
        StringBuilder out = new StringBuilder(FINGERPRINT_LENGTH);
        int buffer = 0;
        int bits = 0;
        for (byte b : publicKey) {
            buffer = buffer << 8 | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    /**
     * Parses a fingerprint as {@link #fingerprintOf} writes it; case, spaces, dashes and colons are
     * ignored.
     *
     * @throws IllegalArgumentException saying what a fingerprint looks like
     */
    public static byte[] parseFingerprint(String fingerprint) {
        String text = fingerprint == null ? "" : fingerprint.toLowerCase(Locale.ROOT).replaceAll("[\\s:-]", "");
        if (text.length() != FINGERPRINT_LENGTH) {
            throw new IllegalArgumentException("'" + fingerprint + "' is not a Viz key fingerprint: expected "
                    + FINGERPRINT_LENGTH + " characters a-z and 2-7, as the peer's viz prints at start");
        }
        byte[] out = new byte[Sodium.X25519_KEY_BYTES];
        int buffer = 0;
        int bits = 0;
        int at = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int value = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (value < 0) {
                throw new IllegalArgumentException("'" + fingerprint + "' is not a Viz key fingerprint: '" + c
                        + "' is not one of a-z, 2-7");
            }
            buffer = buffer << 5 | value;
            bits += 5;
            if (bits >= 8) {
                if (at < out.length) {
                    out[at++] = (byte) (buffer >>> (bits - 8));
                }
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            throw new IllegalArgumentException("'" + fingerprint + "' is not a Viz key fingerprint: its last character"
                    + " is not one a fingerprint can end with (a typo?)");
        }
        return out;
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return ((FileAlreadyExistsException) e).getFile() + " exists and is not a directory";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public String toString() {
        return "Identity[" + fingerprint + (file == null ? "" : ", " + file) + "]";
    }
}
