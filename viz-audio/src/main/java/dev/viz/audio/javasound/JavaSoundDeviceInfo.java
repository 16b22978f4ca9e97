package dev.viz.audio.javasound;

/**
 * One Java Sound mixer that can capture or play Viz's format, as
 * {@link JavaSoundBackend#listDevices()} returns it. Immutable.
 *
 * @param name the mixer's name, for example {@code default [default]} (ALSA's default device,
 *     which is the sound server when one runs)
 * @param description the mixer's description
 * @param vendor the mixer's vendor, for example {@code ALSA (http://www.alsa-project.org)}
 * @param isInput whether it opens a 48 kHz 16-bit capture line
 * @param isOutput whether it opens a 48 kHz 16-bit playback line
 * @param isDefault whether it is the mixer Java Sound picks by default
 */
public record JavaSoundDeviceInfo(String name, String description, String vendor, boolean isInput,
        boolean isOutput, boolean isDefault) {

    /** The id {@code --input} and {@code --output} accept: {@code javasound:NAME}. */
    public String id() {
        return JavaSoundBackend.ID_PREFIX + name;
    }

    /** One line for {@code viz devices}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(id()).append("  (Java Sound");
        if (isInput) {
            s.append(", in");
        }
        if (isOutput) {
            s.append(", out");
        }
        if (isDefault) {
            s.append(", default");
        }
        if (description != null && !description.isEmpty()) {
            s.append(", ").append(description);
        }
        return s.append(')').toString();
    }
}
