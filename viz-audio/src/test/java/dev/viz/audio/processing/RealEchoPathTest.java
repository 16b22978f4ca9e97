package dev.viz.audio.processing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.audio.portaudio.PortAudioBackend;
import dev.viz.audio.portaudio.SoundServer;
import dev.viz.audio.pulse.PulseBackend;
import dev.viz.core.AudioDevice;
import dev.viz.core.AudioFormat;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Echo cancellation through the real sound server: the far end's speech is played on the speaker
 * ({@code viz_speaker}, the sink {@code viz_out}) through PortAudio; a PulseAudio
 * {@code module-loopback} carries the speaker's monitor into the virtual microphone ({@code viz_mic})
 * with a set latency and attenuation (the echo path: device buffers both ways plus the loopback's
 * delay), and the microphone is captured through PortAudio ({@code viz_mic}, the source
 * {@code viz_mic.monitor}). The processor sees what was played after each write and what was
 * captured, on the two device threads, as the engine will call it.
 */
class RealEchoPathTest {
    static final AudioFormat FORMAT = AudioFormat.mono48k(20);

    /** What one run through the devices gave: the capture before and after processing. */
    record Run(short[] captured, short[] processed, double delayMs, long underruns) {
    }

    static Run playThroughEchoPath(short[] far, int loopbackLatencyMs, double loopbackVolume, ProcessingOptions options)
            throws Exception {
        String module = SoundServer.pactl("load-module", "module-loopback", "source=viz_out.monitor", "sink=viz_mic",
                "latency_msec=" + loopbackLatencyMs, "adjust_time=0", "source_dont_move=true", "sink_dont_move=true").strip();
        try {
            setLoopbackVolume(module, loopbackVolume);
            boolean pulse = Boolean.parseBoolean(System.getProperty("viz.aec.pulse", "true"))
                    && PulseBackend.system().isAvailable();
            // The default devices a user gets: the PulseAudio backend; -Dviz.aec.pulse=false for PortAudio.
            AudioDevice output = pulse ? PulseBackend.system().output("viz_out") : PortAudioBackend.system().output("viz_speaker");
            AudioDevice input = pulse ? PulseBackend.system().input("viz_mic.monitor") : PortAudioBackend.system().input("viz_mic");
            try (SpeexProcessor processor = new SpeexProcessor(options)) {
                processor.open(FORMAT);
                input.open(AudioDevice.Direction.INPUT, FORMAT);
                try {
                    output.open(AudioDevice.Direction.OUTPUT, FORMAT);
                    try {
                        return run(far, output, input, processor);
                    } finally {
                        output.close();
                    }
                } finally {
                    input.close();
                }
            }
        } finally {
            SoundServer.pactl("unload-module", module);
        }
    }

    /** Sets the volume of the loopback's playback stream (its "Owner Module" is {@code module}). */
    static void setLoopbackVolume(String module, double volume) throws IOException {
        String current = null;
        for (String line : SoundServer.pactl("list", "sink-inputs").split("\n")) {
            String t = line.strip();
            if (t.startsWith("Sink Input #")) {
                current = t.substring("Sink Input #".length());
            } else if (t.equals("Owner Module: " + module) && current != null) {
                SoundServer.pactl("set-sink-input-volume", current, String.valueOf(volume));
                return;
            }
        }
        throw new IOException("no sink input of loopback module " + module);
    }

    private static Run run(short[] far, AudioDevice output, AudioDevice input, SpeexProcessor processor)
            throws Exception {
        int frame = FORMAT.frameSamples();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] playedNs = new long[far.length / frame];
        long[] capturedNs = new long[far.length / frame];
        Thread player = new Thread(() -> {
            short[] pcm = new short[frame];
            try {
                for (int at = 0; at + frame <= far.length; at += frame) {
                    stall(at);
                    System.arraycopy(far, at, pcm, 0, frame);
                    output.write(pcm, 0, frame);
                    long t = System.nanoTime();
                    processor.played(pcm, 0, frame, t);
                    if (at / frame < playedNs.length) {
                        playedNs[at / frame] = t;
                    }
                }
                java.util.Arrays.fill(pcm, (short) 0);
                for (int i = 0; i < 25; i++) {
                    output.write(pcm, 0, frame);
                    processor.played(pcm, 0, frame, System.nanoTime());
                }
            } catch (IOException | RuntimeException e) {
                failure.set(e);
            }
        }, "test-playback");
        short[] captured = new short[far.length / frame * frame];
        short[] processed = new short[captured.length];
        player.start();
        try {
            for (int at = 0; at < captured.length; at += frame) {
                input.read(captured, at, frame);
                long t = System.nanoTime();
                capturedNs[at / frame] = t;
                System.arraycopy(captured, at, processed, at, frame);
                processor.process(processed, at, t);
            }
        } finally {
            player.join(10_000);
        }
        if (failure.get() != null) {
            throw new AssertionError("playback failed: " + failure.get(), failure.get());
        }
        System.out.println("sound server echo path: " + processor.echoDiagnostics());
        String dump = System.getProperty("viz.aec.dump");
        if (dump != null) {
            dump(dump, far, captured, processed, playedNs, capturedNs);
        }
        return new Run(captured, processed, processor.echoDelayMs(), processor.echoReferenceUnderruns());
    }

    /**
     * For diagnosis ({@code -Dviz.aec.dump=FILE}): big-endian int n, the far end, the capture and the
     * processed capture (n shorts each), int frames, then the times each write and each read returned
     * (frames longs each). The echo's delay against the sample counts per half second (a cross-correlation
     * of the capture with the far end) and the writes' lag against the clock showed the underruns.
     */
    private static void dump(String file, short[] far, short[] captured, short[] processed, long[] playedNs,
            long[] capturedNs) throws IOException {
        try (java.io.DataOutputStream o = new java.io.DataOutputStream(new java.io.BufferedOutputStream(
                new java.io.FileOutputStream(file)))) {
            o.writeInt(captured.length);
            for (short[] pcm : new short[][] {far, captured, processed}) {
                for (int i = 0; i < captured.length; i++) {
                    o.writeShort(pcm[i]);
                }
            }
            o.writeInt(playedNs.length);
            for (long[] times : new long[][] {playedNs, capturedNs}) {
                for (long t : times) {
                    o.writeLong(t);
                }
            }
        }
    }

    /**
     * The player stalls as on a loaded machine (the device thread not scheduled in time): 60 ms at
     * 4 s and 120 ms at 7.5 s, longer than the output buffer holds, so the device plays silence
     * (an underrun) and everything after comes out later than its sample count says.
     */
    private static void stall(int at) {
        long ms = at == 4 * EchoLab.RATE ? 60 : at == 15 * EchoLab.RATE / 2 ? 120 : 0;
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Opt-in ({@code -Dviz.aec.soundServer=true}): with playback underruns now put into the echo
     * reference as the silence they played, the sound server's echo path reaches 14.5-18.1 dB (4 of 5
     * runs at 15 dB or more, docs/audio-processing.md, "Through the real sound server"), which is not
     * consistent enough for CI, and CI must not carry a flaky test. The measurement and its assertion
     * stay as they are.
     */
    @Test
    void shouldCancelEchoThroughTheSoundServer() throws Exception {
        assumeTrue(Boolean.getBoolean("viz.aec.soundServer"), () -> {
            System.out.println("SKIPPED: the sound server echo path measurement is opt-in:"
                    + " -Dviz.aec.soundServer=true (docs/audio-processing.md)");
            return "opt-in: -Dviz.aec.soundServer=true";
        });
        SoundServer.assumeRunning();
        assumeTrue(SpeexDsp.isAvailable(), () -> "skipped: " + SpeexDsp.explanation());
        assumeTrue(PortAudioBackend.system().isAvailable(), () -> "skipped: " + PortAudioBackend.system().unavailabilityCause());
        short[] far = EchoLab.slice(EchoLab.farEnd(), 0, 12);
        Run run = playThroughEchoPath(far, 60, 0.5, ProcessingOptions.builder().echoCancellation(true).build());
        double echoDbfs = EchoLab.dbfs(run.captured(), 3 * EchoLab.RATE, run.captured().length);
        double erle = EchoLab.erleDb(run.captured(), run.processed(), 3, 12);
        System.out.printf("sound server echo path (loopback 60 ms, volume 0.5): echo %.1f dBFS, ERLE %.1f dB over 3-12 s,"
                + " delay estimate %.1f ms, reference underruns %d%n", echoDbfs, erle, run.delayMs(), run.underruns());
        assertTrue(echoDbfs > -45, "the echo path carried the far end (" + echoDbfs + " dBFS)");
        assertTrue(erle >= 15, "ERLE " + erle + " dB");
    }
}
