/**
 * What several carriers share and no user calls: the network thread's registration of a carrier's
 * channel for reads ({@link dev.viz.transport.internal.ReadInterest}) and a sending host's key for the
 * rate limits ({@link dev.viz.transport.internal.SourceKeys}). Not exported.
 */
package dev.viz.transport.internal;
