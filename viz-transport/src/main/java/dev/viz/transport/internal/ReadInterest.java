package dev.viz.transport.internal;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * One channel's registration for {@link SelectionKey#OP_READ} (for a server socket,
 * {@link SelectionKey#OP_ACCEPT}) with the network thread's selector,
 * made once and kept, for a transport's {@code registerReads}: asking again for the same channel and
 * selector costs a few field reads, not the channel's registration lock. A channel replaced by a new
 * one (a reconnect) is registered anew; a closed channel's key is dropped by the selector itself.
 *
 * <p>Network thread only.
 */
public final class ReadInterest {
    private SelectionKey key;

    /**
     * Registers {@code channel} with {@code selector} for reads unless this was done already.
     *
     * @return whether the channel is registered; {@code false} when it is null, closed, or blocking
     *     (then the transport must be polled)
     */
    public boolean register(SelectableChannel channel, Selector selector) {
        SelectionKey k = key;
        if (k != null && k.channel() == channel && k.selector() == selector && k.isValid()) {
            return true;
        }
        if (channel == null || !channel.isOpen()) {
            return false;
        }
        try {
            key = channel.register(selector, channel.validOps() & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT));
            return true;
        } catch (ClosedChannelException | CancelledKeyException | IllegalBlockingModeException
                | IllegalArgumentException e) {
            return false;
        }
    }
}
