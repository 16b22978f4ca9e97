/**
 * Viz transports: plain UDP ({@code dev.viz.transport.udp}), the Noise secure layer
 * ({@code dev.viz.transport.secure}), impairment for tests and demonstrations
 * ({@code dev.viz.transport.impair}), the in-memory pair ({@code dev.viz.transport.loopback}), stream
 * carriers for tunnels ({@code dev.viz.transport.stream}), the one-port listener and the UDP-then-TCP
 * caller ({@code dev.viz.transport.reach}) the TURN relay client ({@code dev.viz.transport.turn}) and the direct path that moves a call off
 * a relay when the NATs allow ({@code dev.viz.transport.direct}).
 * The secure layer's parts and wire formats ({@code dev.viz.transport.secure.internal}) are not
 * exported; its default provider is registered as the {@link dev.viz.core.spi.TransportSecurityProvider}
 * that makes {@code VoiceSession.builder()} secure by default.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.viz.transport {
    requires transitive dev.viz.core;
    requires lazysodium.java;
    requires com.sun.jna;
    requires org.jctools.core;
    requires org.slf4j;

    exports dev.viz.transport.udp;
    exports dev.viz.transport.secure;
    exports dev.viz.transport.impair;
    exports dev.viz.transport.loopback;
    exports dev.viz.transport.stream;
    exports dev.viz.transport.reach;
    exports dev.viz.transport.turn;
    exports dev.viz.transport.direct;

    provides dev.viz.core.spi.TransportSecurityProvider
            with dev.viz.transport.secure.internal.DefaultSecurityProvider;
}
