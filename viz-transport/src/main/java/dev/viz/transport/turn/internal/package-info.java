/**
 * The wire formats and carriers behind {@link dev.viz.transport.turn.TurnTransport}: STUN messages
 * and ChannelData as flyweights over byte arrays, and the UDP, TCP and TLS links to the relay with
 * RFC 8656 stream framing. Not API.
 */
package dev.viz.transport.turn.internal;
