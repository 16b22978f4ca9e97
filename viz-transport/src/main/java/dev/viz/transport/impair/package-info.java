/**
 * A bad network on purpose: {@link dev.viz.transport.impair.ImpairedTransport} wraps any transport
 * and loses, delays, reorders and duplicates its datagrams as an
 * {@link dev.viz.transport.impair.ImpairmentSpec} says, reproducibly from a seed, on the system clock
 * or a simulated one. For tests, examples and {@code viz --simulate}.
 */
package dev.viz.transport.impair;
