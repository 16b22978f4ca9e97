/** The direct path's wire format (not exported). */
package dev.viz.transport.direct.internal;
