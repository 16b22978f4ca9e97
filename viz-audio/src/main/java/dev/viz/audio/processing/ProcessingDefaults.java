package dev.viz.audio.processing;

import java.util.Locale;

/**
 * Which processing a call gets unless the user says otherwise: on for real devices (a microphone
 * hears the room and, with speakers, the far end's voice), off for files, tones, silence and the
 * speaker's monitor (they carry exact test audio that processing would only change).
 *
 * <p>Device specs are those of {@code AudioDevices.parseInput/parseOutput}: {@code pulse:NAME},
 * {@code portaudio:NAME}, {@code javasound:NAME} and {@code default} are devices; {@code wav:FILE},
 * {@code tone:HZ}, {@code silence}, {@code null} and {@code monitor} (also as {@code pulse:monitor} or
 * {@code portaudio:monitor}) are not. A program that plays a bundled clip (the
 * CLI's {@code demo}) passes its clip as a file.
 */
public final class ProcessingDefaults {
    private ProcessingDefaults() {
    }

    /** Whether an input spec names a real capture device (a microphone). */
    public static boolean isDevice(String spec) {
        String kind = kind(spec);
        boolean monitor = spec != null && spec.strip().toLowerCase(Locale.ROOT).endsWith(":monitor");
        return !monitor && (kind.equals("pulse") || kind.equals("portaudio") || kind.equals("javasound")
                || kind.equals("default"));
    }

    /**
     * The options for a call from {@code inputSpec} to {@code outputSpec}; each of {@code aec},
     * {@code denoise}, {@code agc} overrides the default when not null. Echo cancellation defaults
     * on when both ends are devices; noise suppression, gain control and voice activity when the
     * input is.
     */
    public static ProcessingOptions forCall(String inputSpec, String outputSpec, Boolean aec, Boolean denoise,
            Boolean agc) {
        boolean liveInput = isDevice(inputSpec);
        boolean liveOutput = isDevice(outputSpec);
        boolean denoiseOn = denoise != null ? denoise : liveInput;
        boolean agcOn = agc != null ? agc : liveInput;
        boolean aecOn = aec != null ? aec : liveInput && liveOutput;
        return ProcessingOptions.builder()
                .echoCancellation(aecOn)
                .noiseSuppression(denoiseOn)
                .gainControl(agcOn)
                .voiceActivity(liveInput && (aecOn || denoiseOn || agcOn))
                .build();
    }

    /** Parses {@code on}/{@code off} (also true/false, yes/no); null for {@code auto} or null. */
    public static Boolean parseSwitch(String value, String option) {
        if (value == null) {
            return null;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "on":
            case "true":
            case "yes":
                return Boolean.TRUE;
            case "off":
            case "false":
            case "no":
                return Boolean.FALSE;
            case "auto":
                return null;
            default:
                throw new IllegalArgumentException(option + " " + value + ": use on, off or auto");
        }
    }

    private static String kind(String spec) {
        if (spec == null) {
            return "";
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        return colon < 0 ? s : s.substring(0, colon);
    }
}
