package dev.viz.benchmarks;

import dev.viz.audio.AudioDevices;
import dev.viz.audio.portaudio.PortAudioBackend;
import dev.viz.audio.portaudio.PortAudioDevice;
import dev.viz.audio.pulse.PulseBackend;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import dev.viz.core.Profile;
import dev.viz.core.SessionState;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.Transport;
import dev.viz.core.VoiceSession;
import dev.viz.transport.reach.CallAddress;
import dev.viz.transport.reach.ListenTransport;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.SecureTransport;
import dev.viz.transport.udp.UdpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * Mouth-to-ear latency on this machine, per profile: a train of chirps is played into the virtual
 * microphone (the null sink {@code viz_mic}, with {@code paplay}); the talking session captures it
 * from {@code viz_mic.monitor} through a real input device, sends it over real UDP on loopback with
 * the secure transport, and the listening session plays it through a real output device into the
 * sink {@code viz_out}. Two instrument recorders (PortAudio inputs with 10 ms buffers, in this
 * process) capture {@code viz_mic.monitor} and {@code viz_out.monitor} at the same time; each
 * recorder's samples are placed on the {@code System.nanoTime()} clock (the earliest
 * read-return time less the samples delivered so far). Each chirp is located in both recordings by
 * normalised cross-correlation against the chirp template, and the difference of the two times is
 * one mouth-to-ear sample: input device, capture, encode, batch, compress, encrypt, UDP, decrypt,
 * jitter buffer, decode, output device. The recorders' own capture latency is the same on both
 * sides and cancels; the air and a real card's converters are not in it.
 *
 * <p>Not a test (no timing in {@code mvn verify}): run it by hand against the test sound server,
 * <pre>
 *   .ci/sound-server.sh start /tmp/viz-lat &amp;&amp; source /tmp/viz-lat/env.sh
 *   mvn -q -o package -pl viz-benchmarks -am -DskipTests
 *   java -cp viz-benchmarks/target/benchmarks.jar dev.viz.benchmarks.MouthToEar [CLICKS [INPUT OUTPUT]]
 *   .ci/sound-server.sh stop /tmp/viz-lat
 * </pre>
 * CLICKS defaults to 20 (one every 2 s), INPUT to {@code portaudio:viz_mic} (ALSA {@code viz_mic} = the source
 * {@code viz_mic.monitor}), OUTPUT to {@code portaudio:viz_speaker} (ALSA {@code viz_speaker} = the
 * sink {@code viz_out}); any {@code --input}/{@code --output} spec of the CLI works. It prints the
 * median, p99, max and count (HdrHistogram) per profile.
 *
 * <p>{@code --carriers udp,tcp,ws} (before the other arguments) measures the same call over each
 * carrier in turn, every profile per carrier: {@code udp} as above; {@code tcp} and {@code ws} with the
 * listener of {@code viz -s} ({@link ListenTransport}: UDP, raw TCP and WebSocket on one port, bound
 * to loopback) and the caller of {@code viz -c tcp://} or {@code -c ws://} ({@link CallAddress}), the
 * secure layer on top as on UDP. With {@code --carriers} each line names its carrier and also gives
 * the listener's playout delay and round-trip time at the end; without it the output is UDP's alone,
 * in the form above.
 *
 * <p>Before the other arguments, {@code --profile NAME} measures one profile only, {@code --frame-ms MS}
 * sets both sessions' frame duration (as the CLI's {@code --frame-ms}), and {@code --buffers OUT/IN}
 * asks PortAudio (or the PulseAudio server, for {@code pulse:} specs) for OUT ms of output and IN ms
 * of input buffering for the call's devices (0: the
 * defaults, one frame out and {@link PortAudioDevice#INPUT_BUFFER_FRAMES} frames in), to find
 * where the latency goes (docs/performance.md, latency breakdown).
 *
 * <p>{@code --external [CLICKS]} measures a call this process does not make: another program (two
 * {@code viz} processes, a GStreamer pipeline, baresip) already carries {@code viz_mic.monitor} to
 * {@code viz_out}, and this process only plays the chirps into {@code viz_mic}, records both monitors
 * and correlates, the same way as above. It prints one line,
 * {@code external median M p90 P min N max X ms found F of C} (milliseconds), or
 * {@code external found 0 of C} when no chirp came through. {@code viz-benchmarks/compare.sh} uses it.
 */
public final class MouthToEar {
    private static final int RATE_HZ = 48_000;
    private static final AudioFormat RECORDER_FORMAT = AudioFormat.mono48k(10);
    private static final int RECORDER_BUFFER_MS = 10;
    private static final int CHIRP_SAMPLES = RATE_HZ / 100; // 10 ms
    private static final int CLICK_INTERVAL_SAMPLES = 2 * RATE_HZ; // one chirp every 2 s: no chirp is mistaken for the next
    private static final int LEAD_SAMPLES = RATE_HZ / 2;
    /** Normalised correlation a chirp must reach to count as found in the microphone recording. */
    private static final double MIN_CORRELATION = 0.5;
    /** The same at the speaker, after Opus (which keeps the chirp's timing, not its exact waveform). */
    private static final double MIN_DECODED_CORRELATION = 0.3;
    private static final long MAX_LATENCY_SAMPLES = CLICK_INTERVAL_SAMPLES * 95L / 100;

    /** {@code --frame-ms}: the sessions' frame duration, 0 for the profile's. */
    private static int frameMs;
    /** {@code --buffers OUT/IN}: PortAudio buffering asked for the call's devices, 0 for the default. */
    private static int outputBufferMs;
    private static int inputBufferMs;

    private MouthToEar() {
    }

    /** What carries the call: the transports a user gets from {@code viz -s} / {@code viz -c}. */
    enum Carrier {
        /** {@code UdpTransport.listen} and {@code UdpTransport.connect}, as the harness always did. */
        UDP,
        /** {@code viz -s} ({@link ListenTransport}) called at {@code tcp://127.0.0.1:PORT}. */
        TCP,
        /** {@code viz -s} ({@link ListenTransport}) called at {@code ws://127.0.0.1:PORT/viz}. */
        WS;

        static Carrier parse(String name) {
            return switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "udp" -> UDP;
                case "tcp" -> TCP;
                case "ws" -> WS;
                default -> throw new IllegalArgumentException("--carriers " + name + ": use udp, tcp and ws, comma-separated");
            };
        }

        String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One profile's measurement over one carrier.
     *
     * @param heardOver the carrier the listener heard the caller over ("udp", "tcp" or "ws"), as its transport says
     * @param histogram mouth-to-ear latencies of the chirps found at the speaker, microseconds
     */
    record Result(Carrier carrier, Profile profile, int clicks, String heardOver, Histogram histogram,
            SessionStats listenerStats) {
        String line(boolean named) {
            String line = String.format("%-11s median %6.1f  p99 %6.1f  max %6.1f  min %6.1f  mean %6.1f ms  (%d of %d chirps)",
                    profile.cliName(), histogram.getValueAtPercentile(50) / 1000.0,
                    histogram.getValueAtPercentile(99) / 1000.0, histogram.getMaxValue() / 1000.0,
                    histogram.getMinValue() / 1000.0, histogram.getMean() / 1000.0,
                    histogram.getTotalCount(), clicks);
            if (!named) {
                return line;
            }
            return String.format("%-4s %s  playout %d ms  rtt %.1f ms", carrier.cliName(), line,
                    listenerStats.playoutDelayMs(), listenerStats.rttMs());
        }
    }

    public static void main(String[] args) throws Exception {
        List<Carrier> carriers = new ArrayList<>();
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.get(0).equals("--external")) {
            int clicks = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 20;
            PortAudioBackend.system().ensureAvailability();
            System.out.println(external(clicks));
            return;
        }
        List<Profile> profiles = List.of(Profile.values());
        while (rest.size() >= 2 && List.of("--profile", "--frame-ms", "--buffers").contains(rest.get(0))) {
            String value = rest.get(1);
            switch (rest.get(0)) {
                case "--profile" -> profiles = List.of(Profile.parse(value));
                case "--frame-ms" -> frameMs = Integer.parseInt(value);
                default -> {
                    String[] outIn = value.split("/");
                    outputBufferMs = Integer.parseInt(outIn[0]);
                    inputBufferMs = Integer.parseInt(outIn[outIn.length - 1]);
                }
            }
            rest = rest.subList(2, rest.size());
        }
        boolean named = false;
        if (rest.size() >= 2 && rest.get(0).equals("--carriers")) {
            for (String c : rest.get(1).split(",")) {
                carriers.add(Carrier.parse(c));
            }
            rest = rest.subList(2, rest.size());
            named = true;
        } else {
            carriers.add(Carrier.UDP);
        }
        int clicks = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 20;
        String inputSpec = rest.size() > 2 ? rest.get(1) : "portaudio:viz_mic";
        String outputSpec = rest.size() > 2 ? rest.get(2) : "portaudio:viz_speaker";
        PortAudioBackend.system().ensureAvailability();
        for (Carrier carrier : carriers) {
            List<Result> results = new ArrayList<>();
            for (Profile profile : profiles) {
                results.add(run(carrier, profile, clicks, inputSpec, outputSpec, named));
            }
            System.out.println("mouth-to-ear, " + inputSpec + " -> call over " + carrier.name() + " loopback -> " + outputSpec);
            for (Result r : results) {
                System.out.println(r.line(named));
            }
        }
    }

    /**
     * Plays {@code clicks} chirps through one call over {@code carrier} in {@code profile} and
     * measures each one's mouth-to-ear latency (needs the test sound server, see the class comment).
     *
     * @param named whether the per-call line names the carrier and the playout delay
     */
    static Result run(Carrier carrier, Profile profile, int clicks, String inputSpec, String outputSpec, boolean named)
            throws Exception {
        short[] chirp = chirp();
        Path wav = Files.createTempFile("viz-mouth-to-ear", ".wav");
        try {
            writeWav(wav, clickTrain(chirp, clicks));
            // the harness's own recorder lost its device (PulseAudio's ALSA plugin reports a host error
            // now and then): that run measured nothing, so it is run again; the call's own devices
            // reopen by themselves and are not excused by this
            return retryingInstrument(() -> measure(carrier, profile, clicks, wav, chirp, inputSpec, outputSpec, named));
        } finally {
            Files.deleteIfExists(wav);
        }
    }

    /** The listener's transport, not yet open (a {@link ListenTransport} binds when the session opens it). */
    private static Transport listenSide(Carrier carrier, InetAddress loopback) {
        return switch (carrier) {
            case UDP -> UdpTransport.listen(new InetSocketAddress(loopback, 0), UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
            // what `viz -s PORT` builds (CarrierOptions: every carrier on one port), on loopback and a free port
            case TCP, WS -> ListenTransport.on(0).bindAddress(loopback)
                    .maxPayloadBytes(UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES).build();
        };
    }

    /** The caller's transport to the listener's {@code port}: what `viz -c ADDRESS` builds. */
    private static Transport callSide(Carrier carrier, InetAddress loopback, int port) {
        String host = loopback.getHostAddress();
        return switch (carrier) {
            case UDP -> UdpTransport.connect(host, port);
            case TCP -> CallAddress.parse("tcp://" + host + ":" + port)
                    .transport(UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES, null);
            case WS -> CallAddress.parse("ws://" + host + ":" + port)
                    .transport(UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES, null);
        };
    }

    private static int localPort(Transport listening) {
        if (listening instanceof UdpTransport udp) {
            return udp.localPort();
        }
        return ((ListenTransport) listening).localPort();
    }

    private static Result measure(Carrier carrier, Profile profile, int clicks, Path wav, short[] chirp,
            String inputSpec, String outputSpec, boolean named) throws Exception {
        int recordSamples = LEAD_SAMPLES + (clicks + 6) * CLICK_INTERVAL_SAMPLES;
        Recorder micRecorder = new Recorder("viz_mic", recordSamples);
        Recorder outRecorder = Recorder.alongside(micRecorder, "viz_loopback", recordSamples);
        micRecorder.start();
        outRecorder.start();
        SessionStats stats;
        String heardOver;
        AudioDevice input = device(inputSpec, true);
        AudioDevice output = device(outputSpec, false);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Transport listenSide = listenSide(carrier, loopback);
        try (VoiceSession listener = tuned(VoiceSession.builder().profile(profile))
                .transport(SecureTransport.wrap(listenSide).identity(Identity.generate()).build())
                .input(AudioDevices.silence()).output(output).build()) {
            listener.start();
            try (VoiceSession talker = tuned(VoiceSession.builder().profile(profile))
                    .transport(SecureTransport.wrap(callSide(carrier, loopback, localPort(listenSide)))
                            .identity(Identity.generate()).build())
                    .input(input).output(AudioDevices.nullOutput()).build()) {
                talker.start();
                await(() -> listener.state() == SessionState.CONNECTED && talker.state() == SessionState.CONNECTED,
                        10_000, "both sides connected");
                long warm = slotsPlayed(listener);
                await(() -> slotsPlayed(listener) > warm + 50, 15_000, "audio flowing (50 frame slots played)");
                playClicks(wav, clicks, outRecorder, recordSamples);
                stats = listener.stats();
                heardOver = listenSide instanceof ListenTransport l ? l.carrier() : "udp";
            }
        } finally {
            stopBoth(micRecorder, outRecorder);
        }
        long[] micAt = find(micRecorder.pcm, micRecorder.count, chirp);
        Histogram histogram = new Histogram(10_000_000L, 3); // microseconds, up to 10 s
        long missed = correlate(micRecorder, outRecorder, chirp, micAt, histogram);
        System.out.printf("%s: %d chirps in the microphone recording, %d found at the speaker, %d missed;"
                + " listener played %d, concealed %d, late %d; xruns in %d out %d; recorders' anchors differ"
                + " by %.1f ms%n", named ? profile.cliName() + " over " + carrier.cliName() : profile.cliName(), micAt.length, histogram.getTotalCount(), missed,
                stats.framesPlayed(), stats.framesConcealed(), stats.framesLate(), input.xruns(), output.xruns(),
                (outRecorder.anchorNs - micRecorder.anchorNs) / 1e6);
        return new Result(carrier, profile, clicks, heardOver, histogram, stats);
    }

    /** The builder with {@code --frame-ms} applied. */
    private static VoiceSession.Builder tuned(VoiceSession.Builder builder) {
        return frameMs > 0 ? builder.frameMs(frameMs) : builder;
    }

    /** The call's device for a CLI spec, with {@code --buffers} applied to a PortAudio or PulseAudio device. */
    private static AudioDevice device(String spec, boolean input) throws IOException {
        int bufferMs = input ? inputBufferMs : outputBufferMs;
        if (bufferMs > 0 && spec.startsWith("portaudio:")) {
            return PortAudioBackend.system().device(spec, input, PortAudioDevice.SampleFormat.INT16, bufferMs);
        }
        if (bufferMs > 0 && spec.startsWith(PulseBackend.ID_PREFIX)) {
            return PulseBackend.system().device(spec, input, bufferMs);
        }
        return input ? AudioDevices.parseInput(spec) : AudioDevices.parseOutput(spec);
    }

    /**
     * Finds each of the chirps at {@code micAt} (samples of the microphone recording) in the speaker
     * recording, on the recorders' shared clock, and records each latency in {@code histogram}
     * (microseconds).
     *
     * @return the chirps not found at the speaker
     */
    private static long correlate(Recorder micRecorder, Recorder outRecorder, short[] chirp, long[] micAt,
            Histogram histogram) {
        long missed = 0;
        for (long micSample : micAt) {
            double micNs = micRecorder.anchorNs + micSample * 1e9 / RATE_HZ;
            // where the chirp could be in the other recording, on the shared clock
            long from = Math.max(0, Math.round((micNs - outRecorder.anchorNs) * RATE_HZ / 1e9));
            Peak peak = best(outRecorder.pcm, outRecorder.count, chirp, from, from + MAX_LATENCY_SAMPLES);
            if (peak.correlation < MIN_DECODED_CORRELATION) {
                missed++;
                continue;
            }
            double outNs = outRecorder.anchorNs + peak.sample * 1e9 / RATE_HZ;
            histogram.recordValue(Math.max(0, Math.round((outNs - micNs) / 1000)));
        }
        return missed;
    }

    /**
     * The {@code --external} mode: plays {@code clicks} chirps into {@code viz_mic} while another
     * program carries them to {@code viz_out}, and measures them as {@link #measure} does.
     *
     * @return one line: median, p90, min and max in ms and the chirps found
     */
    static String external(int clicks) throws Exception {
        short[] chirp = chirp();
        Path wav = Files.createTempFile("viz-mouth-to-ear", ".wav");
        try {
            writeWav(wav, clickTrain(chirp, clicks));
            return retryingInstrument(() -> measureExternal(clicks, wav, chirp));
        } finally {
            Files.deleteIfExists(wav);
        }
    }

    private static String measureExternal(int clicks, Path wav, short[] chirp) throws Exception {
        int recordSamples = LEAD_SAMPLES + (clicks + 6) * CLICK_INTERVAL_SAMPLES;
        Recorder micRecorder = new Recorder("viz_mic", recordSamples);
        Recorder outRecorder = Recorder.alongside(micRecorder, "viz_loopback", recordSamples);
        micRecorder.start();
        outRecorder.start();
        try {
            Thread.sleep(500);
            playClicks(wav, clicks, outRecorder, recordSamples);
        } finally {
            stopBoth(micRecorder, outRecorder);
        }
        long[] micAt = find(micRecorder.pcm, micRecorder.count, chirp);
        Histogram histogram = new Histogram(10_000_000L, 3);
        correlate(micRecorder, outRecorder, chirp, micAt, histogram);
        if (histogram.getTotalCount() == 0) {
            return String.format(Locale.ROOT, "external found 0 of %d", clicks);
        }
        return String.format(Locale.ROOT, "external median %.1f p90 %.1f min %.1f max %.1f ms found %d of %d",
                histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(90) / 1000.0,
                histogram.getMinValue() / 1000.0, histogram.getMaxValue() / 1000.0, histogram.getTotalCount(), clicks);
    }

    /** Plays the click train into the virtual microphone, then lets the speaker side record 2 s more. */
    private static void playClicks(Path wav, int clicks, Recorder outRecorder, int recordSamples) throws Exception {
        Process paplay = new ProcessBuilder("paplay", "-d", "viz_mic", wav.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!paplay.waitFor(clicks + 30L, TimeUnit.SECONDS) || paplay.exitValue() != 0) {
            paplay.destroyForcibly();
            throw new IllegalStateException("paplay -d viz_mic failed or hung");
        }
        int after = outRecorder.samples() + 2 * RATE_HZ;
        await(() -> outRecorder.samples() >= Math.min(after, recordSamples), 10_000, "2 s more recorded");
    }

    /** Stops and closes both recorders whatever failed; a recorder's failure is the one reported. */
    /** Attempts before a run whose recorder keeps losing its device gives up. */
    static final int INSTRUMENT_ATTEMPTS = 3;

    /**
     * Runs {@code measurement}, again after a pause when the harness's own recorder failed (up to
     * {@value #INSTRUMENT_ATTEMPTS} times): right after PulseAudio's ALSA plugin reported a host error,
     * reopening the recorder at once has failed too ("Illegal combination of I/O devices", seen in CI).
     */
    static <T> T retryingInstrument(java.util.concurrent.Callable<T> measurement) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return measurement.call();
            } catch (InstrumentFailure e) {
                if (attempt >= INSTRUMENT_ATTEMPTS) {
                    throw e;
                }
                System.err.println("the recorder failed (" + e.getMessage() + "); measuring again in 1 s");
                Thread.sleep(1_000);
            }
        }
    }

    private static void stopBoth(Recorder micRecorder, Recorder outRecorder) throws Exception {
        try {
            micRecorder.stop();
        } finally {
            outRecorder.stop();
        }
    }

    /** Frame slots the listener's playout has filled: decoded, concealed, rebuilt or silent (DTX). */
    private static long slotsPlayed(VoiceSession listener) {
        SessionStats stats = listener.stats();
        return stats.framesPlayed() + stats.framesConcealed() + stats.get(Stat.FRAMES_RECOVERED)
                + stats.get(Stat.FRAMES_DTX);
    }

    /** A Hann-windowed linear chirp, 1 to 4 kHz in 10 ms, at half of full scale. */
    private static short[] chirp() {
        short[] chirp = new short[CHIRP_SAMPLES];
        double f0 = 1000;
        double f1 = 4000;
        double durationS = CHIRP_SAMPLES / (double) RATE_HZ;
        for (int i = 0; i < CHIRP_SAMPLES; i++) {
            double t = i / (double) RATE_HZ;
            double phase = 2 * Math.PI * (f0 * t + (f1 - f0) * t * t / (2 * durationS));
            double window = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (CHIRP_SAMPLES - 1));
            chirp[i] = (short) Math.round(16_000 * window * Math.sin(phase));
        }
        return chirp;
    }

    private static short[] clickTrain(short[] chirp, int clicks) {
        short[] pcm = new short[LEAD_SAMPLES + clicks * CLICK_INTERVAL_SAMPLES];
        for (int k = 0; k < clicks; k++) {
            System.arraycopy(chirp, 0, pcm, LEAD_SAMPLES + k * CLICK_INTERVAL_SAMPLES, chirp.length);
        }
        return pcm;
    }

    private static void writeWav(Path file, short[] pcm) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + pcm.length * 2)
                .put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(RATE_HZ).putInt(RATE_HZ * 2)
                .putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(pcm.length * 2);
        for (short s : pcm) {
            b.putShort(s);
        }
        Files.write(file, b.array());
    }

    private record Peak(long sample, double correlation) {
    }

    /** The chirps in {@code pcm}: peaks of normalised correlation, at least half an interval apart. */
    private static long[] find(short[] pcm, int count, short[] template) {
        List<Long> found = new ArrayList<>();
        long from = 0;
        while (true) {
            // the next sample where the correlation is high, then the best one within the chirp's span after it
            long hit = -1;
            for (long i = from; i + template.length <= count; i++) {
                if (pcm[(int) i] != 0 && correlation(pcm, (int) i, template) >= MIN_CORRELATION) {
                    hit = i;
                    break;
                }
            }
            if (hit < 0) {
                break;
            }
            Peak peak = best(pcm, count, template, hit, hit + template.length);
            found.add(peak.sample);
            from = peak.sample + CLICK_INTERVAL_SAMPLES / 2;
        }
        return found.stream().mapToLong(Long::longValue).toArray();
    }

    private static Peak best(short[] pcm, int count, short[] template, long from, long to) {
        long bestSample = -1;
        double best = -1;
        for (long i = from; i < to && i + template.length <= count; i++) {
            double c = correlation(pcm, (int) i, template);
            if (c > best) {
                best = c;
                bestSample = i;
            }
        }
        return new Peak(bestSample, best);
    }

    private static double correlation(short[] pcm, int at, short[] template) {
        double dot = 0;
        double energy = 0;
        double templateEnergy = 0;
        for (int j = 0; j < template.length; j++) {
            double x = pcm[at + j];
            dot += x * template[j];
            energy += x * x;
            templateEnergy += (double) template[j] * template[j];
        }
        return energy == 0 ? 0 : dot / Math.sqrt(energy * templateEnergy);
    }

    private static void await(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadlineNs) {
                throw new IllegalStateException("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Records one ALSA source through PortAudio into memory, placing its samples on the
     * {@code System.nanoTime()} clock: {@link #anchorNs} is the time of sample 0, the smallest
     * (read-return time less the duration of the samples delivered so far) over all reads.
     */
    private static final class Recorder {
        final short[] pcm;
        final PortAudioDevice device;
        final Thread thread;
        volatile int count;
        volatile boolean running = true;
        volatile long anchorNs = Long.MAX_VALUE;
        volatile Exception failure;

        Recorder(String alsaName, int samples) throws IOException {
            pcm = new short[samples];
            device = PortAudioBackend.system().device(alsaName, true, PortAudioDevice.SampleFormat.INT16, RECORDER_BUFFER_MS);
            try {
                device.open(AudioDevice.Direction.INPUT, RECORDER_FORMAT);
            } catch (IOException e) {
                throw new InstrumentFailure(alsaName + ": " + e.getMessage(), e);
            }
            thread = new Thread(this::run, "recorder-" + alsaName);
        }

        /** A second recorder; if it cannot open, the first (not started yet) is closed. */
        static Recorder alongside(Recorder first, String alsaName, int samples) throws IOException {
            try {
                return new Recorder(alsaName, samples);
            } catch (IOException e) {
                first.device.close();
                throw e;
            }
        }

        void start() {
            thread.start();
        }

        private void run() {
            int frame = RECORDER_FORMAT.frameSamples();
            try {
                while (running && count + frame <= pcm.length) {
                    int n = device.read(pcm, count, frame);
                    long returnedNs = System.nanoTime();
                    if (n <= 0) {
                        break;
                    }
                    count += n;
                    long startNs = returnedNs - count * 1_000_000_000L / RATE_HZ;
                    if (startNs < anchorNs) {
                        anchorNs = startNs;
                    }
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        int samples() {
            return count;
        }

        void stop() throws Exception {
            running = false;
            thread.join(5_000);
            device.close();
            if (failure instanceof IOException io) {
                throw new InstrumentFailure(device.name() + ": " + io.getMessage(), io);
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** The harness's recorder lost its device: the run measured nothing about the call. */
    static final class InstrumentFailure extends IOException {
        private static final long serialVersionUID = 1L;

        InstrumentFailure(String message, IOException cause) {
            super(message, cause);
        }
    }
}
