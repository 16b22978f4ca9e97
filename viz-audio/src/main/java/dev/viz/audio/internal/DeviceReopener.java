package dev.viz.audio.internal;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the PortAudio and Java Sound devices share across the opens of one call: the session reopens
 * a device after it fails, and a named device that cannot be opened again
 * {@value #FOLLOW_DEFAULT_AFTER_FAILURES} times in a row (after it once worked) is replaced by the
 * system default, logged once and counted, until it comes back. Also keeps the device's counters:
 * opens, defaults followed and xruns.
 *
 * <p>Threads: {@link #open} and {@link #xrun()} from the device's one I/O thread; the counters from
 * any thread.
 */
public final class DeviceReopener {
    /** Failed reopens of a named device after which the system default is followed instead. */
    public static final int FOLLOW_DEFAULT_AFTER_FAILURES = 5;

    private static final Logger LOG = LoggerFactory.getLogger(DeviceReopener.class);

    /** Opens the named device, or the system default. */
    @FunctionalInterface
    public interface Opener<T> {
        T open(boolean systemDefault) throws IOException;
    }

    private final String name;
    private final boolean namesTheDefault;
    private final String direction;
    private int failedOpensSinceWorking;
    private boolean openedBefore;
    private boolean followingDefault;

    private volatile long opens;
    private volatile long defaultsFollowed;
    private volatile long xruns;

    /**
     * @param name the device's id, for the log: {@code portaudio:USB Mic}
     * @param namesTheDefault whether the device is the default already (nothing to fall back to)
     * @param input the device's direction
     */
    public DeviceReopener(String name, boolean namesTheDefault, boolean input) {
        this.name = name;
        this.namesTheDefault = namesTheDefault;
        this.direction = input ? "input" : "output";
    }

    /**
     * Opens the named device, or the default when the named one has failed too often; counts the
     * open.
     *
     * @throws IOException from the named device (while it may still return), or from the default
     */
    public <T> T open(Opener<T> opener) throws IOException {
        T opened;
        try {
            opened = opener.open(false);
            if (followingDefault) {
                LOG.info("{} is back; using it again", name);
                followingDefault = false;
            }
        } catch (IOException e) {
            failedOpensSinceWorking++;
            if (!openedBefore || namesTheDefault || failedOpensSinceWorking < FOLLOW_DEFAULT_AFTER_FAILURES) {
                throw e;
            }
            opened = opener.open(true);
            if (!followingDefault) {
                followingDefault = true;
                defaultsFollowed++;
                LOG.warn("{} cannot be opened again ({}); following the default {} until it returns", name,
                        e.getMessage(), direction);
            }
        }
        failedOpensSinceWorking = 0;
        openedBefore = true;
        opens++;
        return opened;
    }

    /** The I/O thread: one overflow or underflow. */
    public void xrun() {
        xruns++;
    }

    public long xruns() {
        return xruns;
    }

    /** Successful opens; more than one means the device was reopened. */
    public long opens() {
        return opens;
    }

    /** Times the named device was given up for the system default. */
    public long defaultsFollowed() {
        return defaultsFollowed;
    }
}
