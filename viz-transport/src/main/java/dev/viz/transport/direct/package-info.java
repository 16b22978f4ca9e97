/**
 * The direct path: a decorator under the secure layer that moves a call off a relay or a tunnel
 * onto direct UDP between the two hosts when their NATs allow it, with probes authenticated by the
 * call's keys, and back when that path stops answering (docs/nat.md, "Direct path").
 */
package dev.viz.transport.direct;
