/**
 * Viz's audio parts: the Opus codecs (Concentus, native libopus), the Zstandard compressor and the
 * audio devices (files, tone, silence, null, PulseAudio, PortAudio, Java Sound), registered with {@link
 * java.util.ServiceLoader} as the session's defaults.
 *
 * <p>Exports only the API packages; {@code dev.viz.audio.internal} is not exported. Concentus and
 * JNA have no module descriptor: they are required by their automatic names, {@code concentus}
 * (from the jar's file name, {@code concentus-1.0.2.jar}) and {@code com.sun.jna} (the jar's
 * {@code Automatic-Module-Name}). zstd-jni ships a descriptor ({@code com.github.luben.zstd_jni}).
 * {@code club.minnced:opus-java-natives} holds only native libraries, read as resources from the
 * class path or, on the module path, from its automatic module {@code opus.java.natives} (add it with
 * {@code --add-modules opus.java.natives}).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.viz.audio {
    requires transitive dev.viz.core;
    requires concentus;
    requires com.github.luben.zstd_jni;
    requires com.sun.jna;
    requires org.slf4j;
    requires java.desktop;

    exports dev.viz.audio;
    exports dev.viz.audio.javasound;
    exports dev.viz.audio.opus.nativelib;
    exports dev.viz.audio.portaudio;
    exports dev.viz.audio.processing;
    exports dev.viz.audio.pulse;

    // JNA binds natives to these classes and reads their Structure fields reflectively.
    opens dev.viz.audio.opus.nativelib to com.sun.jna;
    opens dev.viz.audio.portaudio to com.sun.jna;
    opens dev.viz.audio.processing to com.sun.jna;
    opens dev.viz.audio.pulse to com.sun.jna;

    provides dev.viz.core.spi.AudioDeviceProvider with dev.viz.audio.internal.DefaultAudioDeviceProvider;
    provides dev.viz.core.spi.CodecProvider with dev.viz.audio.internal.OpusCodecProvider;
    provides dev.viz.core.spi.CompressorProvider with dev.viz.audio.internal.ZstdCompressorProvider;
}
