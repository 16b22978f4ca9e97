/**
 * Viz's session-level wire formats as flyweights over reused byte arrays: the one-byte payload
 * header every payload starts with, and the audio batch. {@code docs/protocol.md} is the full
 * specification. Everything here is big-endian, and nothing allocates.
 */
package dev.viz.core.wire;
