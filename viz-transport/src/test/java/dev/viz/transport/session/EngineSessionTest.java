package dev.viz.transport.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.audio.OpusCodec;
import dev.viz.core.AudioFormat;
import dev.viz.core.AudioProcessor;
import dev.viz.core.SessionStats;
import dev.viz.core.VoiceSession;
import dev.viz.core.testing.PlainBatcher;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import dev.viz.transport.loopback.LoopbackTransport;
import dev.viz.transport.udp.UdpTransport;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's new seams, each through a real session on its own threads: a second batch format
 * end to end over UDP, the audio processor on the capture and playback threads, and a builder that
 * never lets two sessions share one part.
 */
class EngineSessionTest {
    @TempDir
    Path dir;

    private static Path writeWav(Path file, short[] samples) throws Exception {
        ByteBuffer bytes = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : samples) {
            bytes.putShort(s);
        }
        javax.sound.sampled.AudioFormat format = new javax.sound.sampled.AudioFormat(48_000, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(bytes.array()), format,
                samples.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    @Test
    void shouldCarrySpeechOverUdpInASecondBatchFormat() throws Exception {
        short[] said = TestAudio.samples(TestAudio.SPEECH);
        Path input = TestAudio.copyTo(TestAudio.SPEECH, dir);
        Path heard = dir.resolve("heard.wav");
        UdpTransport listenSide = UdpTransport.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                UdpTransport.DEFAULT_MAX_DATAGRAM_BYTES);
        SessionStats stats;
        try (VoiceSession listener = VoiceSession.builder().allowPlaintext(true).transport(listenSide)
                .batcher(new PlainBatcher()).input(AudioDevices.silence()).output(AudioDevices.wavOutput(heard))
                .build()) {
            listener.start();
            try (VoiceSession caller = VoiceSession.builder().allowPlaintext(true)
                    .transport(UdpTransport.connect("127.0.0.1", listenSide.localPort()))
                    .batcher(new PlainBatcher()).input(AudioDevices.wav(input)).output(AudioDevices.nullOutput())
                    .build()) {
                caller.start();
                assertTrue(listener.awaitEnd(Duration.ofSeconds(40)), "the listener ends after the caller's bye");
            }
            stats = listener.stats();
            assertEquals("the peer ended the call", listener.endReason());
            assertNull(listener.failure());
        }
        assertEquals(250, stats.framesReceived(), "every frame arrived");
        assertEquals(0, stats.get(dev.viz.core.Stat.DATAGRAMS_MALFORMED), "every batch parsed");
        // The end-to-end measure (one lag, or one that follows the playout delay when a loaded machine makes it move).
        SpeechComparison.Result match = SpeechComparison.best(said, TestAudio.samples(heard), 48_000, 1500);
        assertTrue(match.correlation() >= 0.85, match + "; " + stats.framesPlayed() + " played, "
                + stats.framesConcealed() + " concealed, " + stats.get(dev.viz.core.Stat.FRAMES_LATE) + " late");
    }

    /** Records what the session hands it, and on which thread. */
    private static final class RecordingProcessor implements AudioProcessor {
        final Set<String> processThreads = ConcurrentHashMap.newKeySet();
        final Set<String> playedThreads = ConcurrentHashMap.newKeySet();
        final AtomicInteger opens = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        short[] processed = new short[48_000 * 10];
        int processedCount;
        short[] played = new short[48_000 * 10];
        int playedCount;
        volatile boolean callAfterClose;
        int frameSamples;

        @Override
        public void open(AudioFormat format) {
            opens.incrementAndGet();
            frameSamples = format.frameSamples();
        }

        @Override
        public int process(short[] pcm, int offset, long capturedAtNs) {
            callAfterClose |= closes.get() > 0;
            processThreads.add(Thread.currentThread().getName());
            int n = Math.min(frameSamples, processed.length - processedCount);
            System.arraycopy(pcm, offset, processed, processedCount, n);
            processedCount += n;
            return VOICE;
        }

        @Override
        public void played(short[] pcm, int offset, int samples, long playedAtNs) {
            callAfterClose |= closes.get() > 0;
            playedThreads.add(Thread.currentThread().getName());
            int n = Math.min(samples, played.length - playedCount);
            System.arraycopy(pcm, offset, played, playedCount, n);
            playedCount += n;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void shouldShowTheProcessorEachCapturedFrameOnTheCaptureThreadAndWhatWasPlayedOnThePlaybackThread()
            throws Exception {
        short[] said = Arrays.copyOf(TestAudio.samples(TestAudio.SPEECH), 48_000 * 3);
        Path input = writeWav(dir.resolve("said.wav"), said);
        Path heard = dir.resolve("heard.wav");
        RecordingProcessor callerSide = new RecordingProcessor();
        RecordingProcessor listenerSide = new RecordingProcessor();
        LoopbackTransport[] pair = LoopbackTransport.pair();
        try (VoiceSession listener = VoiceSession.builder().allowPlaintext(true).transport(pair[1])
                .processor(listenerSide).input(AudioDevices.silence()).output(AudioDevices.wavOutput(heard)).build();
                VoiceSession caller = VoiceSession.builder().allowPlaintext(true).transport(pair[0])
                        .processor(callerSide).input(AudioDevices.wav(input)).output(AudioDevices.nullOutput())
                        .build()) {
            listener.start();
            caller.start();
            assertTrue(listener.awaitEnd(Duration.ofSeconds(30)), "the call ends with the input");
            assertTrue(caller.awaitEnd(Duration.ofSeconds(5)));
        }
        assertEquals(Set.of("viz-capture"), callerSide.processThreads);
        assertEquals(Set.of("viz-playback"), listenerSide.playedThreads);
        assertEquals(Set.of("viz-capture"), listenerSide.processThreads, "the listener's silence is processed too");
        assertEquals(said.length, callerSide.processedCount, "every captured frame, once");
        assertArrayEquals(said, Arrays.copyOf(callerSide.processed, said.length),
                "the processor saw exactly the samples the input device read");
        short[] written = TestAudio.samples(heard);
        assertTrue(listenerSide.playedCount > said.length / 2, "played " + listenerSide.playedCount);
        assertEquals(written.length, listenerSide.playedCount, "the processor saw every write to the output");
        assertArrayEquals(written, Arrays.copyOf(listenerSide.played, listenerSide.playedCount),
                "the processor saw exactly the samples the output device was given");
        for (RecordingProcessor p : new RecordingProcessor[] {callerSide, listenerSide}) {
            assertEquals(1, p.opens.get());
            assertEquals(1, p.closes.get(), "closed once, after the threads stopped");
            assertFalse(p.callAfterClose, "no call after close");
        }
    }

    @Test
    void shouldNeverLetTwoSessionsShareAPartSuppliedToTheBuilder() {
        LoopbackTransport[] pair = LoopbackTransport.pair();
        VoiceSession.Builder builder = VoiceSession.builder().transport(pair[0])
                .input(AudioDevices.silence()).output(AudioDevices.nullOutput());
        try (VoiceSession first = builder.build()) {
            assertTrue(first.transport().isSecure(), "the session's transport is the secure layer");
            assertFalse(pair[0].isSecure());
            // Building used to replace the builder's transport with the secured one and fill in its codec, so a
            // second build shared both with the first session.
            IllegalStateException shared = assertThrows(IllegalStateException.class, builder::build);
            assertTrue(shared.getMessage().contains("transport") && shared.getMessage().contains("new instance"),
                    shared.getMessage());
            builder.input(AudioDevices.silence()).output(AudioDevices.nullOutput()).transport(pair[1]);
            try (VoiceSession second = builder.build()) {
                assertNotSame(first.transport(), second.transport());
                assertTrue(second.transport().isSecure());
            }
            builder.codec(new OpusCodec()).transport(LoopbackTransport.pair()[0]).input(AudioDevices.silence())
                    .output(AudioDevices.nullOutput());
            try (VoiceSession third = builder.build()) {
                builder.transport(LoopbackTransport.pair()[0]).input(AudioDevices.silence())
                        .output(AudioDevices.nullOutput());
                IllegalStateException codec = assertThrows(IllegalStateException.class, builder::build);
                assertTrue(codec.getMessage().contains("codec"), codec.getMessage());
            }
        }
    }
}
