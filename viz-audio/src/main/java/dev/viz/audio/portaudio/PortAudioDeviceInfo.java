package dev.viz.audio.portaudio;

/**
 * One device PortAudio lists, as {@link PortAudioBackend#listDevices()} returns it. Immutable.
 *
 * @param index PortAudio's device index; valid until the device list changes (a device is plugged
 *     in or out and PortAudio is reinitialised), so prefer the {@link #name()}
 * @param name the device's name as PortAudio reports it (for ALSA, the PCM name, for example
 *     {@code default} or {@code pulse})
 * @param hostApi the host API's name, for example {@code ALSA}
 * @param maxInputChannels 0 for an output-only device
 * @param maxOutputChannels 0 for an input-only device
 * @param defaultSampleRateHz the rate the device reports as its default; Viz opens 48 kHz anyway
 *     and the host API converts where needed
 * @param defaultLowInputLatencyMs the host API's suggestion for interactive input
 * @param defaultLowOutputLatencyMs the host API's suggestion for interactive output
 * @param isDefaultInput whether this is PortAudio's default input
 * @param isDefaultOutput whether this is PortAudio's default output
 */
public record PortAudioDeviceInfo(int index, String name, String hostApi, int maxInputChannels,
        int maxOutputChannels, double defaultSampleRateHz, double defaultLowInputLatencyMs,
        double defaultLowOutputLatencyMs, boolean isDefaultInput, boolean isDefaultOutput) {

    /** The id {@code --input} and {@code --output} accept: {@code portaudio:NAME}. */
    public String id() {
        return PortAudioBackend.ID_PREFIX + name;
    }

    public boolean isInput() {
        return maxInputChannels > 0;
    }

    public boolean isOutput() {
        return maxOutputChannels > 0;
    }

    /** One line for {@code viz devices}: id, directions, channels, rate, host API, defaults. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(id()).append("  (#").append(index).append(", ").append(hostApi);
        if (isInput()) {
            s.append(", in ").append(maxInputChannels).append(" ch");
        }
        if (isOutput()) {
            s.append(", out ").append(maxOutputChannels).append(" ch");
        }
        s.append(", ").append(Math.round(defaultSampleRateHz)).append(" Hz");
        if (isDefaultInput) {
            s.append(", default input");
        }
        if (isDefaultOutput) {
            s.append(", default output");
        }
        return s.append(')').toString();
    }
}
