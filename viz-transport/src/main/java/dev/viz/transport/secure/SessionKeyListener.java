package dev.viz.transport.secure;

import dev.viz.core.Transport;

/**
 * A transport under a {@link SecureTransport} that authenticates datagrams of its own with a key of
 * the secured session: a direct-path transport's candidate addresses and probes
 * ({@code dev.viz.transport.direct}). The secure layer calls it each time a new session becomes
 * current (the first handshake and every re-handshake), so only the two ends of that handshake hold
 * the key; nothing is called on a transport that does not implement this.
 *
 * <p>The key is keyed BLAKE2b of a fixed label under the Noise handshake hash
 * (docs/protocol-secure.md, "Path key"): independent of the data keys, so a path message can never
 * be taken for data and the reverse.
 *
 * <p>Thread: the network thread, from inside {@link Transport#receive} or {@link Transport#doWork}.
 */
public interface SessionKeyListener {

    /**
     * The first byte of the secure layer's data datagrams (docs/protocol-secure.md). Only these may
     * take another path than the wrapped transport's own: handshake messages go where the
     * transport below sends them, so a handshake always finds the peer the call started with.
     */
    byte DATA_DATAGRAM_TYPE = 4;

    /**
     * A new session is current.
     *
     * @param pathKey a 32-byte key, the listener's own copy
     * @param initiator whether this side started the handshake: the two ends tell their messages
     *     apart by it, so a message reflected back to its sender is refused
     */
    void onSessionKey(byte[] pathKey, boolean initiator);
}
