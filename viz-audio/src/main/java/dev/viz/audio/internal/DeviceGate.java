package dev.viz.audio.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets a device's one reading or writing thread use a resource (a file) while any other thread may
 * close the device, without a lock: whoever is last to touch the resource releases it.
 *
 * <pre>{@code
 * read:   if (!gate.enter()) throw closed;  use the file;  if (!gate.exit()) { release the file; throw closed; }
 * close:  if (gate.close()) release the file;   // else the reader is inside and releases it on exit
 * }</pre>
 *
 * <p>Allocates nothing; one compare-and-set per enter and per exit.
 */
public final class DeviceGate {
    private static final int CLOSED = 0;
    private static final int IDLE = 1;
    private static final int BUSY = 2;

    private final AtomicInteger state = new AtomicInteger(CLOSED);

    /** The device's thread, after opening the resource. */
    public void opened() {
        state.set(IDLE);
    }

    /** The device's thread, before using the resource: false when the device is closed. */
    public boolean enter() {
        return state.compareAndSet(IDLE, BUSY);
    }

    /**
     * The device's thread, after using the resource: false when the device was closed meanwhile, in
     * which case the caller releases the resource.
     */
    public boolean exit() {
        return state.compareAndSet(BUSY, IDLE);
    }

    /**
     * Any thread: marks the device closed. True when the caller must release the resource now; false
     * when it was already closed or its thread is using the resource (and will release it).
     */
    public boolean close() {
        return state.getAndSet(CLOSED) == IDLE;
    }

    /** Whether the device is open (idle or in use). */
    public boolean isOpen() {
        return state.get() != CLOSED;
    }
}
