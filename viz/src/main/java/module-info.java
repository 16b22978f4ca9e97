/**
 * Viz in one module: the API and engine, the audio parts and the transports. Requiring it gives an
 * application everything {@code VoiceSession.builder()} needs for its defaults.
 */
module dev.viz {
    requires transitive dev.viz.core;
    requires transitive dev.viz.audio;
    requires transitive dev.viz.transport;
}
