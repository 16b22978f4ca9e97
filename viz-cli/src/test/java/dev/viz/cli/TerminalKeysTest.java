package dev.viz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.audio.AudioDevices;
import dev.viz.core.SessionState;
import dev.viz.core.Stat;
import dev.viz.core.VoiceSession;
import dev.viz.transport.loopback.LoopbackTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The call's keys read from a real pipe (the output of {@code printf} in a shell, as a terminal in
 * character mode would hand them over), acting on a real session.
 */
@Timeout(30)
class TerminalKeysTest {
    private final ByteArrayOutputStream said = new ByteArrayOutputStream();

    private static VoiceSession session() {
        return VoiceSession.builder().allowPlaintext(true).transport(LoopbackTransport.pair()[0])
                .input(AudioDevices.silence()).output(AudioDevices.nullOutput()).build();
    }

    /** Types {@code keys} through a pipe from {@code printf} and reads them until q or the end. */
    private TerminalKeys type(VoiceSession session, String keys) throws Exception {
        // The keys travel in the environment so the shell quotes nothing.
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", "printf '%s' \"$KEYS\"");
        builder.environment().put("KEYS", keys);
        Process p = builder.start();
        TerminalKeys terminal = new TerminalKeys(session, p.getInputStream(),
                new PrintStream(said, true, StandardCharsets.UTF_8));
        terminal.run();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        return terminal;
    }

    @Test
    void shouldToggleMuteAndStepTheVolumeFromTypedKeys() throws Exception {
        try (VoiceSession session = session()) {
            type(session, "m++-x+");
            assertTrue(session.isMuted());
            assertTrue(session.stats().muted());
            assertEquals(1.2, session.outputGain(), 1e-6);
            assertEquals(120, session.stats().get(Stat.OUTPUT_GAIN_PERCENT));
            assertNotEquals(SessionState.ENDED, session.state(), "the end of the input is not the end of the call");
            type(session, "m");
            assertFalse(session.isMuted());
            assertTrue(said.toString(StandardCharsets.UTF_8).contains("viz: muted\n"), said.toString());
        }
    }

    @Test
    void shouldNeverTurnTheVolumeBelowSilenceOrAboveTheLimit() throws Exception {
        try (VoiceSession session = session()) {
            type(session, "-".repeat(15));
            assertEquals(0.0, session.outputGain());
            type(session, "+".repeat(50));
            assertEquals(4.0, session.outputGain(), 1e-6);
        }
    }

    @Test
    void shouldEndTheCallOnQAndReadNothingAfterIt() throws Exception {
        try (VoiceSession session = session()) {
            type(session, "mqm");
            assertTrue(session.isMuted(), "the m after q was not read");
            assertEquals(SessionState.ENDED, session.state(), "q hung up");
        }
    }

    @Test
    void shouldTalkWhileSpaceRepeatsAndMuteAgainOnceItStops() throws Exception {
        try (VoiceSession session = session()) {
            // t, then a held space: a press and the terminal's auto-repeat.
            TerminalKeys keys = type(session, "t   ");
            long afterLastSpace = System.nanoTime();
            assertTrue(keys.isPushToTalk());
            assertFalse(session.isMuted(), "space held: talking");
            keys.tick(afterLastSpace);
            assertFalse(session.isMuted(), "still within the hold after the last space");
            keys.tick(afterLastSpace + TerminalKeys.PUSH_TO_TALK_HOLD_NS);
            assertTrue(session.isMuted(), "no space for the hold: released, muted again");
            assertTrue(keys.onKey('m', System.nanoTime()));
            assertFalse(keys.isPushToTalk(), "m leaves push-to-talk");
            assertFalse(session.isMuted(), "and toggles the mute");
        }
        try (VoiceSession session = session()) {
            TerminalKeys keys = type(session, "t");
            assertTrue(session.isMuted(), "push-to-talk starts muted");
            keys = type(session, "tt ");
            assertFalse(keys.isPushToTalk(), "t again leaves push-to-talk");
            assertFalse(session.isMuted(), "unmuted; a space outside push-to-talk does nothing");
            keys.tick(System.nanoTime() + TerminalKeys.PUSH_TO_TALK_HOLD_NS);
            assertFalse(session.isMuted(), "no release outside push-to-talk");
        }
    }
}
