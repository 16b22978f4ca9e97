package dev.viz.transport.turn;

/** The transport contract over TURN with the relay reached by TCP (RFC 8656 framing). */
class TurnTcpContractTest extends TurnUdpContractTest {
    @Override
    TurnServer server() {
        return coturn.tcp();
    }

    /** Both sides reach the relay over TCP: each receives through a stream. */
    @Override
    protected boolean isReliableStream() {
        return true;
    }

    /** Over TCP to the relay the link's buffers may hold a message: polled. */
    @Override
    protected boolean canBeWaitedOn() {
        return false;
    }
}
