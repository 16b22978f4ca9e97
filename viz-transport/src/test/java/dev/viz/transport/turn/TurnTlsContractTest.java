package dev.viz.transport.turn;

/** The transport contract over TURN with the relay reached by TLS ({@code turns:}), its certificate checked. */
class TurnTlsContractTest extends TurnUdpContractTest {
    @Override
    TurnServer server() {
        return coturn.tls();
    }

    @Override
    TurnTransport.Builder configure(TurnServer server) throws Exception {
        return TurnTransport.builder(server).timeout(TIMEOUT).sslContext(coturn.sslContext());
    }

    /** Both sides reach the relay over TLS: each receives through a stream. */
    @Override
    protected boolean isReliableStream() {
        return true;
    }

    /** Over TLS to the relay the engine's buffers may hold a record: polled. */
    @Override
    protected boolean canBeWaitedOn() {
        return false;
    }
}
