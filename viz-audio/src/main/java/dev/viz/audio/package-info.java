/**
 * Viz's audio parts: {@link dev.viz.audio.OpusCodec} (Opus through Concentus), {@link
 * dev.viz.audio.ZstdCompressor} (Zstandard through zstd-jni) and the file, tone, silence and null
 * devices, found through {@link dev.viz.audio.AudioDevices}. This module registers them as the
 * session's defaults with {@link java.util.ServiceLoader}.
 */
package dev.viz.audio;
