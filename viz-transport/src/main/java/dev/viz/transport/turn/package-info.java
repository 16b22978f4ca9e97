/**
 * Calls through a TURN relay (RFC 8656) for two users who are both behind NAT:
 * {@link dev.viz.transport.turn.TurnServer} names the relay and its credentials (a {@code turn:} or
 * {@code turns:} URI, long-term or time-limited), {@link dev.viz.transport.turn.TurnTransport} is
 * the datagram transport that allocates there and stacks under the secure layer like UDP. The relay
 * carries ciphertext only. See docs/nat.md.
 */
package dev.viz.transport.turn;
