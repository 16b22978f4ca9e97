package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionStats;
import dev.viz.core.Stat;
import dev.viz.core.VoiceSession;
import dev.viz.transport.loopback.LoopbackTransport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The status line's input level meter, {@code MUTED} and volume, read from a real running session. */
@Timeout(30)
class StatusLineTest {
    @TempDir
    Path dir;

    @Test
    void shouldDrawTheMeterFromMinus60DbfsToFullScale() {
        assertEquals("[----------] silent", StatusLine.meter(-100));
        assertEquals("[----------] silent", StatusLine.meter(-60));
        assertEquals("[#---------] -59 dB", StatusLine.meter(-59));
        assertEquals("[#########-] -6 dB", StatusLine.meter(-6));
        assertEquals("[##########] 0 dB", StatusLine.meter(0));
    }

    @Test
    void shouldShowTheInputLevelAndMutedAndTheVolumeOfARunningCall() throws Exception {
        // 3 s of a 1 kHz sine at half full scale: peak -6 dBFS.
        short[] tone = new short[48_000 * 3];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (short) Math.round(0.5 * 32767 * Math.sin(2 * Math.PI * 1000 * i / 48_000));
        }
        ByteBuffer bytes = ByteBuffer.allocate(tone.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short s : tone) {
            bytes.putShort(s);
        }
        Path wav = dir.resolve("tone.wav");
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(bytes.array()),
                new javax.sound.sampled.AudioFormat(48_000, 16, 1, true, false), tone.length)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, wav.toFile());
        }
        LoopbackTransport[] pair = LoopbackTransport.pair();
        StatusLine line = null;
        try (VoiceSession listener = VoiceSession.builder().allowPlaintext(true).transport(pair[1])
                .input(AudioDevices.silence()).output(AudioDevices.nullOutput()).build();
                VoiceSession caller = VoiceSession.builder().allowPlaintext(true).transport(pair[0])
                        .input(AudioDevices.wav(wav)).output(AudioDevices.nullOutput()).build()) {
            line = new StatusLine(caller, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertTrue(line.format(caller.stats()).contains(" mic [----------] silent sent "),
                    "no frame yet: " + line.format(caller.stats()));
            listener.start();
            caller.start();
            while (caller.stats().get(Stat.FRAMES_CAPTURED) < 5) {
                Thread.sleep(20);
            }
            String speaking = line.format(caller.stats());
            assertTrue(speaking.contains(" mic [#########-] -6 dB sent "), speaking);
            assertFalse(speaking.contains("MUTED"), speaking);
            caller.mute(true);
            caller.outputGain(0.5);
            SessionStats muted = caller.stats();
            String mutedLine = line.format(muted);
            assertTrue(mutedLine.contains(" mic [#########-] -6 dB MUTED vol 50% sent "),
                    "the meter still moves while muted: " + mutedLine);
        } finally {
            if (line != null) {
                line.close();
            }
        }
    }
}
