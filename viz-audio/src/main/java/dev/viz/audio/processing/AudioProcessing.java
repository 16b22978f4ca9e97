package dev.viz.audio.processing;

import dev.viz.core.AudioProcessor;
import java.util.function.Consumer;

/**
 * Makes the {@link AudioProcessor} for a set of {@link ProcessingOptions}: speexdsp when anything is
 * on and the library is there; otherwise {@link AudioProcessor#NONE}, so a call goes on unprocessed
 * rather than not at all.
 */
public final class AudioProcessing {
    private AudioProcessing() {
    }

    /**
     * @param warnings receives one line when processing was asked for but speexdsp is missing
     *                 (what to install); may be null
     */
    public static AudioProcessor create(ProcessingOptions options, Consumer<String> warnings) {
        if (!options.any()) {
            return AudioProcessor.NONE;
        }
        if (!SpeexDsp.isAvailable()) {
            if (warnings != null) {
                warnings.accept(options.describe() + " off: " + SpeexDsp.explanation());
            }
            return AudioProcessor.NONE;
        }
        return new SpeexProcessor(options);
    }
}
