package dev.viz.audio.portaudio;

import com.sun.jna.Callback;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silences what ALSA and JACK print on stderr while PortAudio probes every device they know of
 * ("ALSA lib pcm.c: Unknown PCM cards.pcm.rear", "jack server is not running"): dozens of harmless
 * lines that would bury Viz's own messages. Best effort: a library that is not there is skipped.
 * Kept when debug logging is on for this package, or with {@code -Dviz.portaudio.quiet=false}.
 */
final class NativeChatter {
    private static final Logger LOG = LoggerFactory.getLogger(NativeChatter.class);

    /** ALSA's {@code snd_lib_error_handler_t}; the variadic tail is never read. */
    public interface AlsaErrorHandler extends Callback {
        void invoke(Pointer file, int line, Pointer function, int err, Pointer fmt);
    }

    /** JACK's {@code void (*)(const char *)} for errors and information. */
    public interface JackMessageHandler extends Callback {
        void invoke(Pointer message);
    }

    // Strong references: native code keeps calling these for the life of the process.
    private static final AlsaErrorHandler ALSA_SILENT = (file, line, function, err, fmt) -> { };
    private static final JackMessageHandler JACK_SILENT = message -> { };
    private static boolean installed;

    private NativeChatter() {
    }

    static synchronized void silence() {
        if (installed || LOG.isDebugEnabled()
                || !Boolean.parseBoolean(System.getProperty("viz.portaudio.quiet", "true"))) {
            return;
        }
        installed = true;
        call("asound", "snd_lib_error_set_handler", ALSA_SILENT);
        call("jack", "jack_set_error_function", JACK_SILENT);
        call("jack", "jack_set_info_function", JACK_SILENT);
    }

    private static void call(String library, String function, Callback handler) {
        try {
            Function f = NativeLibrary.getInstance(library).getFunction(function);
            f.invoke(Void.class, new Object[] {handler});
        } catch (LinkageError | RuntimeException absent) {
            LOG.trace("{} not silenced: {}", function, absent.getMessage());
        }
    }
}
