package dev.viz.transport.secure;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Where Viz keeps the user's secure-layer files, and how they are created (owner-only). */
final class ConfigFiles {
    private ConfigFiles() {
    }

    /** System property that overrides the directory (tests, portable installs). */
    static final String DIRECTORY_PROPERTY = "viz.config.dir";

    /**
     * The system property {@value #DIRECTORY_PROPERTY} when set; else {@code $XDG_CONFIG_HOME/viz}
     * when that is an absolute path; else {@code ~/.config/viz}.
     */
    static Path directory() {
        String override = System.getProperty(DIRECTORY_PROPERTY);
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "viz");
        }
        return Path.of(System.getProperty("user.home"), ".config", "viz");
    }

    static boolean isPosix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** Creates {@code dir} (and its parents) with mode 0700 where the file system has modes. */
    static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (isPosix()) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(dir);
        }
    }

    /** Creates {@code file}, which must not exist, with mode 0600 where the file system has modes. */
    static void createOwnerOnly(Path file) throws IOException {
        if (isPosix()) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
    }

    /** Whether anyone but the owner may read or write {@code file}; false where modes do not exist. */
    static boolean isOpenToOthers(Path file) {
        if (!isPosix()) {
            return false;
        }
        try {
            Set<PosixFilePermission> modes = Files.getPosixFilePermissions(file);
            return modes.contains(PosixFilePermission.GROUP_READ) || modes.contains(PosixFilePermission.GROUP_WRITE)
                    || modes.contains(PosixFilePermission.OTHERS_READ) || modes.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException e) {
            return false;
        }
    }
}
