package dev.viz.audio.portaudio;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import dev.viz.audio.internal.DeviceReopener;
import dev.viz.audio.internal.StreamGuard;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;

/**
 * A microphone or speaker opened through PortAudio's blocking API: {@link #read} and
 * {@link #write} call {@code Pa_ReadStream}/{@code Pa_WriteStream} on the session's capture or
 * playback thread, which the device paces in real time. Made by {@link PortAudioBackend}.
 *
 * <p><b>Errors.</b> An input overflow or output underflow ({@code paInputOverflowed},
 * {@code paOutputUnderflowed}) is counted in {@link #xruns()} and is not an error. Any other error
 * from a read or write means the stream is gone (the device was unplugged, the sound server
 * restarted): it throws {@link IOException}, and the session closes and reopens the device with
 * backoff. The spec is looked up again at every open, so a device that comes back under another
 * index is found by name. When a named device that was working cannot be opened again
 * {@value #FOLLOW_DEFAULT_AFTER_FAILURES} times in a row, the device follows the system default
 * instead (logged once and counted), so the call goes on.
 *
 * <p><b>Latency.</b> An output asks the host API for one frame of buffering (40 ms with 40 ms
 * frames): after a frame is written in one burst, the playback thread has a frame's time to come
 * back before the device runs dry. More costs more than it buys: behind PulseAudio's ALSA plugin
 * the server queues about as much again, so 80 ms of output buffer measured 108 ms against 58 ms
 * for 40 ms (write to monitor capture, medians). An input asks for {@value #INPUT_BUFFER_FRAMES}
 * frames, so a capture thread a frame late loses nothing on a sound card (a sound server holds
 * more anyway); that measured the same as one frame, while 200 ms cost 24 ms. The host API's own
 * low-latency suggestion wins when it is larger,
 * and {@link PortAudioBackend#device(String, boolean, SampleFormat, int)} sets another figure.
 * {@link #reportedLatencyMs()} is what PortAudio reports for the open stream; docs/audio.md has
 * the measurements.
 *
 * <p><b>Threads.</b> {@link #open}, {@link #read}/{@link #write} from the one thread that uses the
 * device (the session's capture or playback thread); {@link #close()} and the counters from any
 * thread. A close that arrives while a read or write is blocked leaves the stream to be released by
 * that thread when the call returns (within one buffer), so a stream is never freed while in use.
 * Reads and writes allocate nothing and take no lock.
 */
public final class PortAudioDevice implements AudioDevice {
    /** The sample format PortAudio carries between the device and this class. */
    public enum SampleFormat {
        /** Signed 16-bit, what the session uses: no conversion in Java. */
        INT16(PortAudioNative.PA_INT16, 2),
        /** 32-bit float in [-1, 1], converted to and from int16 here, as the original Viz did. */
        FLOAT32(PortAudioNative.PA_FLOAT32, 4);

        final long paFormat;
        final int bytesPerSample;

        SampleFormat(long paFormat, int bytesPerSample) {
            this.paFormat = paFormat;
            this.bytesPerSample = bytesPerSample;
        }
    }

    /** Failed reopens of a named device after which the system default is followed instead. */
    public static final int FOLLOW_DEFAULT_AFTER_FAILURES = DeviceReopener.FOLLOW_DEFAULT_AFTER_FAILURES;
    /** Latency setting meaning the defaults: one frame for an output, {@value #INPUT_BUFFER_FRAMES} for an input. */
    public static final int LATENCY_AUTO = 0;
    /** Frames an input buffers by default: room for the capture thread to be a frame late. */
    public static final int INPUT_BUFFER_FRAMES = 2;

    private final PortAudioBackend backend;
    private final String spec;
    private final boolean input;
    private final SampleFormat sampleFormat;
    private final String name;
    private final int latencyMs;

    private volatile Stream stream;
    private Memory buffer;
    private long bufferFrames;
    private int channels;
    private NativeLong framesArg = new NativeLong(0);
    private final DeviceReopener reopener;

    private volatile double reportedLatencyMs = Double.NaN;
    private volatile String openedDevice;

    PortAudioDevice(PortAudioBackend backend, String spec, boolean input, SampleFormat sampleFormat, int latencyMs) {
        this.backend = backend;
        this.spec = spec;
        this.input = input;
        this.sampleFormat = sampleFormat;
        this.latencyMs = latencyMs;
        this.name = PortAudioBackend.ID_PREFIX + spec;
        this.reopener = new DeviceReopener(name, spec.equalsIgnoreCase(PortAudioBackend.DEFAULT_SPEC), input);
    }

    /** {@code portaudio:SPEC}, for example {@code portaudio:default}. */
    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean supports(Direction direction) {
        return (direction == Direction.INPUT) == input;
    }

    /** The sample format PortAudio carries. */
    public SampleFormat sampleFormat() {
        return sampleFormat;
    }

    @Override
    public void open(Direction direction, AudioFormat format) throws IOException {
        if (!supports(direction)) {
            throw new IOException(name + " cannot be an " + direction.name().toLowerCase());
        }
        if (stream != null) {
            throw new IOException(name + " is already open");
        }
        backend.ensureAvailability();
        channels = format.channels();
        ensureBuffer(format.frameSamplesPerChannel());
        stream = reopener.open(systemDefault -> openTarget(
                backend.resolve(systemDefault ? PortAudioBackend.DEFAULT_SPEC : spec, input), format));
    }

    /** One frame of native memory for the stream's samples, kept across reopens. */
    private void ensureBuffer(int frames) {
        long bytes = (long) frames * channels * sampleFormat.bytesPerSample;
        if (buffer == null || buffer.size() < bytes) {
            buffer = new Memory(bytes);
        }
        bufferFrames = frames;
    }

    private Stream openTarget(PortAudioBackend.Target target, AudioFormat format) throws IOException {
        PortAudioNative.StreamParameters params = new PortAudioNative.StreamParameters();
        params.device = target.index();
        params.channelCount = format.channels();
        params.sampleFormat = new NativeLong(sampleFormat.paFormat);
        int wantedMs = latencyMs != LATENCY_AUTO ? latencyMs
                : input ? INPUT_BUFFER_FRAMES * format.frameMs() : format.frameMs();
        params.suggestedLatency = Math.max(target.suggestedLatencyS(), wantedMs / 1000.0);
        PortAudioNative.AlsaStreamInfo alsa = null;
        if (target.alsaDevice() != null) {
            alsa = new PortAudioNative.AlsaStreamInfo(target.alsaDevice());
            params.hostApiSpecificStreamInfo = alsa.getPointer();
        }
        PointerByReference handle = new PointerByReference();
        synchronized (backend.lock()) {
            int err = PortAudioNative.Pa_OpenStream(handle, input ? params : null, input ? null : params,
                    format.sampleRateHz(), new NativeLong(0),
                    new NativeLong(PortAudioNative.PA_CLIP_OFF | PortAudioNative.PA_DITHER_OFF), null, null);
            if (err != PortAudioNative.PA_NO_ERROR) {
                throw new IOException(openFailure(target, format, err));
            }
            Pointer h = handle.getValue();
            err = PortAudioNative.Pa_StartStream(h);
            if (err != PortAudioNative.PA_NO_ERROR) {
                PortAudioNative.Pa_CloseStream(h);
                throw new IOException("cannot start PortAudio " + direction() + " " + target.description() + ": "
                        + PortAudioNative.errorText(err));
            }
            Pointer info = PortAudioNative.Pa_GetStreamInfo(h);
            if (info != null) {
                PortAudioNative.StreamInfo si = new PortAudioNative.StreamInfo(info);
                reportedLatencyMs = 1000.0 * (input ? si.inputLatency : si.outputLatency);
            }
            backend.streamOpened(1);
            openedDevice = target.description();
            // Keep the ALSA device string (if any) alive while the stream may still read it.
            return new Stream(backend, h, alsa);
        }
    }

    private String openFailure(PortAudioBackend.Target target, AudioFormat format, int err) {
        String what = "cannot open PortAudio " + direction() + " " + target.description() + " at "
                + format.sampleRateHz() + " Hz, " + format.channels() + " ch: " + PortAudioNative.errorText(err);
        if (err == -9997) { // paInvalidSampleRate
            return what + "; the device does not run at " + format.sampleRateHz()
                    + " Hz: open it through the sound server (portaudio:default or portaudio:pulse) so it converts";
        }
        if (err == PortAudioNative.PA_DEVICE_UNAVAILABLE || err == PortAudioNative.PA_UNANTICIPATED_HOST_ERROR) {
            return what + "; the device is missing, busy or not permitted (is the user in the 'audio' group,"
                    + " is the sound server running?)";
        }
        return what;
    }

    private String direction() {
        return input ? "input" : "output";
    }

    /** Capture thread. Blocks until {@code samples} samples have arrived; counts overflows. */
    @Override
    public int read(short[] pcm, int offset, int samples) throws IOException {
        Stream s = stream;
        if (s == null || !input) {
            throw new IOException(name + " is not open for input");
        }
        int done = 0;
        while (done < samples) {
            int frames = (int) Math.min((samples - done) / channels, bufferFrames);
            if (frames <= 0) {
                break;
            }
            if (!s.enter()) {
                throw new IOException(name + " was closed");
            }
            int err;
            try {
                err = PortAudioNative.Pa_ReadStream(s.handle, buffer, frameCount(frames));
            } finally {
                s.exit();
            }
            if (err == PortAudioNative.PA_INPUT_OVERFLOWED) {
                reopener.xrun();
            } else if (err != PortAudioNative.PA_NO_ERROR) {
                throw new IOException("PortAudio input " + openedDevice + " failed: " + PortAudioNative.errorText(err));
            }
            int n = frames * channels;
            if (sampleFormat == SampleFormat.INT16) {
                buffer.read(0, pcm, offset + done, n);
            } else {
                for (int i = 0; i < n; i++) {
                    pcm[offset + done + i] = toInt16(buffer.getFloat(4L * i));
                }
            }
            done += n;
        }
        return samples;
    }

    /** Playback thread. Blocks while the device's buffer is full; counts underflows. */
    @Override
    public void write(short[] pcm, int offset, int samples) throws IOException {
        Stream s = stream;
        if (s == null || input) {
            throw new IOException(name + " is not open for output");
        }
        int done = 0;
        while (done < samples) {
            int frames = (int) Math.min((samples - done) / channels, bufferFrames);
            if (frames <= 0) {
                break;
            }
            int n = frames * channels;
            if (sampleFormat == SampleFormat.INT16) {
                buffer.write(0, pcm, offset + done, n);
            } else {
                for (int i = 0; i < n; i++) {
                    buffer.setFloat(4L * i, pcm[offset + done + i] / 32768.0f);
                }
            }
            if (!s.enter()) {
                throw new IOException(name + " was closed");
            }
            int err;
            try {
                err = PortAudioNative.Pa_WriteStream(s.handle, buffer, frameCount(frames));
            } finally {
                s.exit();
            }
            if (err == PortAudioNative.PA_OUTPUT_UNDERFLOWED) {
                reopener.xrun();
            } else if (err != PortAudioNative.PA_NO_ERROR) {
                throw new IOException("PortAudio output " + openedDevice + " failed: " + PortAudioNative.errorText(err));
            }
            done += n;
        }
    }

    private NativeLong frameCount(int frames) {
        if (framesArg.intValue() != frames) {
            framesArg = new NativeLong(frames);
        }
        return framesArg;
    }

    /** float32 in [-1, 1] to int16, rounded and clipped. */
    static short toInt16(float f) {
        float scaled = f * 32767.0f;
        int v = (int) (scaled >= 0 ? scaled + 0.5f : scaled - 0.5f);
        return (short) Math.max(-32768, Math.min(32767, v));
    }

    /** Input overflows or output underflows PortAudio reported: glitches, not failures. */
    @Override
    public long xruns() {
        return reopener.xruns();
    }

    /** The reopen and follow-the-default state with its counters (opens, defaults followed); for tests. */
    DeviceReopener reopener() {
        return reopener;
    }

    /** The latency PortAudio reports for the last opened stream, in ms (NaN before the first open). */
    public double reportedLatencyMs() {
        return reportedLatencyMs;
    }

    /** What the last open resolved to, for example {@code #5 default}, or null before the first open. */
    public String openedDevice() {
        return openedDevice;
    }

    @Override
    public void close() {
        Stream s = stream;
        if (s != null) {
            stream = null;
            s.requestClose();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** One open PortAudio stream; {@link StreamGuard} says who may release it. */
    private static final class Stream extends StreamGuard {
        final Pointer handle;
        private final PortAudioBackend backend;
        @SuppressWarnings("unused") // keeps host-API-specific memory reachable while the stream lives
        private final Object keepAlive;

        Stream(PortAudioBackend backend, Pointer handle, Object keepAlive) {
            this.backend = backend;
            this.handle = handle;
            this.keepAlive = keepAlive;
        }

        @Override
        protected void release() {
            synchronized (backend.lock()) {
                PortAudioNative.Pa_AbortStream(handle);
                PortAudioNative.Pa_CloseStream(handle);
                backend.streamOpened(-1);
            }
        }
    }
}
