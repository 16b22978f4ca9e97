/**
 * Not API: the pieces behind viz-audio's public classes (pacing clock, file conversion, resampler,
 * service providers, sound backend list). May change without notice.
 */
package dev.viz.audio.internal;
