/**
 * What several carriers share and no user calls: the network thread's registration of a carrier's
 * channel for reads ({@link dev.viz.transport.internal.ReadInterest}). Not exported.
 */
package dev.viz.transport.internal;
