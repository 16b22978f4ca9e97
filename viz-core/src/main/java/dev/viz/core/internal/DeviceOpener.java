package dev.viz.core.internal;

import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.Stat;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * Opens a device on its agent's thread, retrying with backoff (0.1 s doubling to 2 s, 10 tries)
 * while the session runs; a device that never opens ends the session as a failure.
 */
final class DeviceOpener {
    static final int MAX_TRIES = 10;

    private DeviceOpener() {
    }

    /** Returns true when open; false when it gave up (the session is then ended) or the session ended. */
    static boolean open(SessionSignals signals, Lifecycle lifecycle, AudioDevice device,
            AudioDevice.Direction direction, AudioFormat format, Counters counters) {
        long backoffNs = 100_000_000L;
        IOException last = null;
        for (int attempt = 1; attempt <= MAX_TRIES && signals.isRunning(); attempt++) {
            try {
                device.open(direction, format);
                return true;
            } catch (IOException | RuntimeException e) {
                last = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                counters.increment(Stat.DEVICE_ERRORS);
                if (attempt == 1) {
                    lifecycle.error("cannot open " + direction.name().toLowerCase() + " " + device.name() + ": "
                            + e.getMessage() + "; retrying", e);
                }
                if (isPermanent(e)) {
                    break;
                }
                LockSupport.parkNanos(backoffNs);
                backoffNs = Math.min(backoffNs * 2, 2_000_000_000L);
            }
        }
        if (signals.isRunning()) {
            lifecycle.fail("cannot open " + direction.name().toLowerCase() + " " + device.name() + ": "
                    + (last == null ? "unknown error" : last.getMessage()), last);
        }
        return false;
    }

    /** A missing file will not appear by retrying. */
    private static boolean isPermanent(Exception e) {
        return e instanceof java.io.FileNotFoundException || e instanceof java.nio.file.NoSuchFileException;
    }
}
