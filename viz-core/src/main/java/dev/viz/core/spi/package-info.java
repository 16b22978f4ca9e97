/**
 * Service-provider interfaces through which modules above viz-core supply the
 * {@link dev.viz.core.VoiceSession.Builder builder's} defaults with {@link java.util.ServiceLoader}:
 * viz-audio registers the Opus codec, the Zstandard compressor and the default devices;
 * viz-transport registers the secure layer. Users seldom implement these.
 */
package dev.viz.core.spi;
