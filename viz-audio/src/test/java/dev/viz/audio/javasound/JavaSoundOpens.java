package dev.viz.audio.javasound;

/** The open count of a Java Sound device, for the device tests of other packages. */
public final class JavaSoundOpens {
    private JavaSoundOpens() {
    }

    /** Successful opens; more than one means the device was reopened after a failure. */
    public static long of(JavaSoundDevice device) {
        return device.reopener().opens();
    }
}
