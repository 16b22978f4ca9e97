package dev.viz.core.spi;

import dev.viz.core.Transport;
import java.io.IOException;

/**
 * Wraps a plain transport in the default secure layer, for a builder given a transport that is not
 * {@linkplain Transport#isSecure() secure} and not told to allow plaintext.
 */
public interface TransportSecurityProvider {
    /** @throws IOException when the local identity cannot be loaded or created */
    Transport secure(Transport plain) throws IOException;

    default int priority() {
        return 0;
    }
}
