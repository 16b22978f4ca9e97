package dev.viz.transport.turn;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.viz.core.Transport;
import dev.viz.core.contract.TransportContract;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract, met by two TURN clients allocated on a real coturn over UDP. */
class TurnUdpContractTest extends TransportContract {
    static Coturn coturn;

    @BeforeAll
    static void startRelay() throws Exception {
        String why = Coturn.unavailable();
        if (why != null) {
            System.out.println("SKIPPED: " + why);
        }
        assumeTrue(why == null, why);
        coturn = Coturn.longTerm(Files.createTempDirectory("vzt-coturn"));
    }

    @AfterAll
    static void stopRelay() {
        if (coturn != null) {
            coturn.close();
        }
    }

    TurnServer server() {
        return coturn.udp();
    }

    /** Generous: the build machine is shared, and a TLS handshake under load takes seconds. */
    static final java.time.Duration TIMEOUT = java.time.Duration.ofSeconds(20);

    TurnTransport.Builder configure(TurnServer server) throws Exception {
        return TurnTransport.builder(server).timeout(TIMEOUT);
    }

    @Override
    protected Transport[] newPair() throws Exception {
        TurnTransport listener = configure(server()).build();
        listener.allocate();
        TurnTransport caller = configure(server()).peer(listener.relayedAddress()).build();
        return new Transport[] {caller, listener};
    }

    /** Sockets: the listener knows which host each payload came from. */
    @Override
    protected boolean identifiesSources() {
        return true;
    }
}
