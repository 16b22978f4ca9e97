package dev.viz.audio.portaudio;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of {@code portaudio.h} (V19) Viz uses, bound with JNA direct mapping. Only
 * {@link PortAudioBackend} calls {@link #bind}; every other method is safe only after it returned.
 *
 * <p>Type mapping: {@code PaError}, {@code PaDeviceIndex}, {@code PaHostApiIndex} are C {@code int};
 * {@code unsigned long} ({@code PaSampleFormat}, {@code PaStreamFlags}, frame counts) is
 * {@link NativeLong}; {@code PaTime} is {@code double}; {@code PaStream*} is an opaque
 * {@link Pointer}.
 */
final class PortAudioNative {
    static final int PA_NO_ERROR = 0;
    static final int PA_NO_DEVICE = -1;
    static final int PA_USE_HOST_API_SPECIFIC_DEVICE_SPECIFICATION = -2;
    static final int PA_UNANTICIPATED_HOST_ERROR = -9999;
    static final int PA_INVALID_DEVICE = -9996;
    static final int PA_DEVICE_UNAVAILABLE = -9985;
    /** A warning from {@code Pa_ReadStream}: input was discarded before this read. The data is valid. */
    static final int PA_INPUT_OVERFLOWED = -9981;
    /** A warning from {@code Pa_WriteStream}: silence was inserted before this write. The data was taken. */
    static final int PA_OUTPUT_UNDERFLOWED = -9980;

    static final long PA_FLOAT32 = 0x00000001L;
    static final long PA_INT16 = 0x00000008L;
    static final long PA_CLIP_OFF = 0x00000001L;
    static final long PA_DITHER_OFF = 0x00000002L;

    /** {@code PaHostApiTypeId} of ALSA. */
    static final int PA_ALSA = 8;

    private static Function alsaInitializeStreamInfo;

    private PortAudioNative() {
    }

    /**
     * Loads {@code libraryName} and binds the natives below to it.
     *
     * @throws UnsatisfiedLinkError when the library or one of its functions is missing
     */
    static void bind(String libraryName) {
        NativeLibrary library = NativeLibrary.getInstance(libraryName);
        Native.register(PortAudioNative.class, library);
        try {
            alsaInitializeStreamInfo = library.getFunction("PaAlsa_InitializeStreamInfo");
        } catch (UnsatisfiedLinkError noAlsa) {
            alsaInitializeStreamInfo = null;
        }
    }

    static native int Pa_Initialize();

    static native int Pa_Terminate();

    static native String Pa_GetVersionText();

    static native String Pa_GetErrorText(int errorCode);

    /** {@code const PaHostErrorInfo*}: {@code {PaHostApiTypeId hostApiType; long errorCode; const char *errorText;}}. */
    static native Pointer Pa_GetLastHostErrorInfo();

    static native int Pa_GetDeviceCount();

    static native int Pa_GetDefaultInputDevice();

    static native int Pa_GetDefaultOutputDevice();

    /** {@code const PaDeviceInfo*}, or null for an index out of range. */
    static native Pointer Pa_GetDeviceInfo(int device);

    /** {@code const PaHostApiInfo*}, or null for an index out of range. */
    static native Pointer Pa_GetHostApiInfo(int hostApi);

    static native int Pa_OpenStream(PointerByReference stream, StreamParameters inputParameters,
            StreamParameters outputParameters, double sampleRate, NativeLong framesPerBuffer,
            NativeLong streamFlags, Pointer streamCallback, Pointer userData);

    static native int Pa_StartStream(Pointer stream);

    static native int Pa_StopStream(Pointer stream);

    static native int Pa_AbortStream(Pointer stream);

    static native int Pa_CloseStream(Pointer stream);

    /** {@code const PaStreamInfo*}: {@code {int structVersion; PaTime inputLatency, outputLatency; double sampleRate;}}. */
    static native Pointer Pa_GetStreamInfo(Pointer stream);

    static native int Pa_ReadStream(Pointer stream, Pointer buffer, NativeLong frames);

    static native int Pa_WriteStream(Pointer stream, Pointer buffer, NativeLong frames);

    /** The text of an error code, with the host API's own message for {@code paUnanticipatedHostError}. */
    static String errorText(int errorCode) {
        String text = Pa_GetErrorText(errorCode);
        if (errorCode == PA_UNANTICIPATED_HOST_ERROR) {
            Pointer info = Pa_GetLastHostErrorInfo();
            if (info != null) {
                long hostCode = info.getNativeLong(Native.LONG_SIZE).longValue();
                Pointer hostText = info.getPointer(2L * Native.LONG_SIZE);
                String detail = hostText == null ? "" : hostText.getString(0);
                text += " (host error " + hostCode + (detail.isEmpty() ? "" : ": " + detail) + ")";
            }
        }
        return text + " [" + errorCode + "]";
    }

    /** Whether ALSA-specific stream information (a raw ALSA device string) can be passed. */
    static boolean hasAlsaStreamInfo() {
        return alsaInitializeStreamInfo != null;
    }

    /** {@code PaDeviceInfo} (struct version 2). */
    @Structure.FieldOrder({"structVersion", "name", "hostApi", "maxInputChannels", "maxOutputChannels",
            "defaultLowInputLatency", "defaultLowOutputLatency", "defaultHighInputLatency",
            "defaultHighOutputLatency", "defaultSampleRate"})
    public static final class DeviceInfo extends Structure {
        public int structVersion;
        public String name;
        public int hostApi;
        public int maxInputChannels;
        public int maxOutputChannels;
        public double defaultLowInputLatency;
        public double defaultLowOutputLatency;
        public double defaultHighInputLatency;
        public double defaultHighOutputLatency;
        public double defaultSampleRate;

        DeviceInfo(Pointer p) {
            super(p);
            read();
        }
    }

    /** {@code PaHostApiInfo} (struct version 1). */
    @Structure.FieldOrder({"structVersion", "type", "name", "deviceCount", "defaultInputDevice",
            "defaultOutputDevice"})
    public static final class HostApiInfo extends Structure {
        public int structVersion;
        public int type;
        public String name;
        public int deviceCount;
        public int defaultInputDevice;
        public int defaultOutputDevice;

        HostApiInfo(Pointer p) {
            super(p);
            read();
        }
    }

    /** {@code PaStreamInfo} (struct version 1). */
    @Structure.FieldOrder({"structVersion", "inputLatency", "outputLatency", "sampleRate"})
    public static final class StreamInfo extends Structure {
        public int structVersion;
        public double inputLatency;
        public double outputLatency;
        public double sampleRate;

        StreamInfo(Pointer p) {
            super(p);
            read();
        }
    }

    /** {@code PaStreamParameters}, passed by reference to {@code Pa_OpenStream}. */
    @Structure.FieldOrder({"device", "channelCount", "sampleFormat", "suggestedLatency",
            "hostApiSpecificStreamInfo"})
    public static final class StreamParameters extends Structure {
        public int device;
        public int channelCount;
        public NativeLong sampleFormat = new NativeLong(0);
        public double suggestedLatency;
        public Pointer hostApiSpecificStreamInfo;

        public StreamParameters() {
        }
    }

    /**
     * {@code PaAlsaStreamInfo}: opens the raw ALSA device string {@code deviceString} (for example
     * {@code pulse:DEVICE=@DEFAULT_MONITOR@}) with {@code device = paUseHostApiSpecificDeviceSpecification}.
     * Filled by {@code PaAlsa_InitializeStreamInfo}, so the size and version are the library's own.
     */
    @Structure.FieldOrder({"size", "hostApiType", "version", "deviceString"})
    public static final class AlsaStreamInfo extends Structure {
        public NativeLong size = new NativeLong(0);
        public int hostApiType;
        public NativeLong version = new NativeLong(0);
        public Pointer deviceString;

        private final com.sun.jna.Memory deviceStringMemory;

        public AlsaStreamInfo() {
            this.deviceStringMemory = null;
        }

        AlsaStreamInfo(String device) {
            deviceStringMemory = new com.sun.jna.Memory(device.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1L);
            deviceStringMemory.setString(0, device, "UTF-8");
            write();
            alsaInitializeStreamInfo.invokeVoid(new Object[] {getPointer()});
            read();
            deviceString = deviceStringMemory;
            write();
        }
    }
}
