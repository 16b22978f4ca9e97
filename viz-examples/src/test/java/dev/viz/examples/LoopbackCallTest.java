package dev.viz.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.viz.core.SessionStats;
import dev.viz.core.testing.SpeechComparison;
import dev.viz.core.testing.TestAudio;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class LoopbackCallTest {
    @Test
    @Timeout(60)
    void shouldRunTheLoopbackCallExampleEndToEnd(@TempDir Path dir) throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, dir);
        Path heard = dir.resolve("heard.wav");
        SessionStats stats = LoopbackCall.call(speech, heard);
        assertEquals(250, stats.framesReceived());
        assertEquals(0, stats.get(dev.viz.core.Stat.FRAMES_LOST));
        assertEquals(250, stats.framesPlayed() + stats.get(dev.viz.core.Stat.FRAMES_DTX)
                + stats.get(dev.viz.core.Stat.FRAMES_LATE), "every frame played, silent (DTX) or late on a loaded machine");
        SpeechComparison.Result match = SpeechComparison.best(TestAudio.samples(TestAudio.SPEECH),
                TestAudio.samples(heard), 48_000, 1000);
        assertTrue(match.correlation() >= 0.9, match.toString());
    }

    @Test
    @Timeout(60)
    void shouldMeasureBothDirectionsWithALevelMeterProcessor(@TempDir Path dir) throws Exception {
        Path speech = TestAudio.copyTo(TestAudio.SPEECH, dir);
        LevelMeter talker = new LevelMeter();
        LevelMeter hearer = new LevelMeter();
        SessionStats stats = LoopbackCall.call(speech, dir.resolve("heard.wav"), talker, hearer);
        assertEquals(250, talker.capturedFrames(), "the talker's processor saw every captured frame");
        assertTrue(talker.capturedPeak() > 5_000, "speech is loud: peak " + talker.capturedPeak());
        assertTrue(hearer.playedSamples() >= (stats.framesPlayed() - 1) * 1920L, "played " + hearer.playedSamples());
        assertTrue(hearer.playedPeak() > 5_000, "the hearer's processor saw the speech played: " + hearer.playedPeak());
        assertEquals(0, hearer.capturedPeak(), "the hearer's own input is silence");
    }
}
