/**
 * Viz's API and engine. Exported: the API ({@code dev.viz.core}: the session, its builder and
 * listener, and the five part interfaces), the service interfaces other modules implement
 * ({@code dev.viz.core.spi}) and the default batch format and pass-through compressor
 * ({@code dev.viz.core.batch}), which users name when they configure or wrap them. Not exported:
 * {@code dev.viz.core.internal} (the engine) and {@code dev.viz.core.wire} (the session's payload
 * formats). The benchmarks reach the engine through {@code dev.viz.core.internal.JitterBufferAccess}
 * from the class path; see its Javadoc.
 */
module dev.viz.core {
    requires org.slf4j;
    requires org.jctools.core;

    exports dev.viz.core;
    exports dev.viz.core.spi;
    exports dev.viz.core.batch;

    uses dev.viz.core.spi.AudioDeviceProvider;
    uses dev.viz.core.spi.CodecProvider;
    uses dev.viz.core.spi.CompressorProvider;
    uses dev.viz.core.spi.TransportSecurityProvider;
}
