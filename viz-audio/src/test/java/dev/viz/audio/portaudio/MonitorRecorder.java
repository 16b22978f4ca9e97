package dev.viz.audio.portaudio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * Records a source of the sound server with {@code parec}, an instrument independent of the code
 * under test: 48 kHz mono 16-bit, raw, until {@link #stop()}.
 */
final class MonitorRecorder implements AutoCloseable {
    private final Process process;
    private final Thread reader;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private MonitorRecorder(Process process) {
        this.process = process;
        this.reader = new Thread(this::drain, "parec-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts recording {@code source}, for example {@code viz_out.monitor}. */
    static MonitorRecorder start(String source) throws IOException {
        return new MonitorRecorder(new ProcessBuilder("parec", "-d", source, "--raw", "--format=s16le",
                "--rate=48000", "--channels=1", "--latency-msec=20").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start());
    }

    private void drain() {
        byte[] chunk = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                synchronized (bytes) {
                    bytes.write(chunk, 0, n);
                }
            }
        } catch (IOException ended) {
            // the recorder was stopped
        }
    }

    /** Samples recorded so far. */
    int samples() {
        synchronized (bytes) {
            return bytes.size() / 2;
        }
    }

    /** Stops the recorder and returns everything it recorded. */
    short[] stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        reader.join(5_000);
        byte[] b;
        synchronized (bytes) {
            b = bytes.toByteArray();
        }
        short[] pcm = new short[b.length / 2];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) ((b[2 * i] & 0xFF) | (b[2 * i + 1] << 8));
        }
        return pcm;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
