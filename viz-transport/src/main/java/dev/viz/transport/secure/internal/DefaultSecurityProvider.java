package dev.viz.transport.secure.internal;

import dev.viz.core.Transport;
import dev.viz.core.spi.TransportSecurityProvider;
import dev.viz.transport.secure.Identity;
import dev.viz.transport.secure.KnownPeers;
import dev.viz.transport.secure.SecureTransport;
import java.io.IOException;

/**
 * Makes {@code VoiceSession.builder()} secure by default: wraps a plain transport in
 * {@link SecureTransport} with the user's default identity (created on first use) and the default
 * known-peers file, with verification codes as the authentication. Pins and secrets are the
 * application's choice: build a {@link SecureTransport} yourself for those. Registered in
 * {@code META-INF/services}.
 */
public final class DefaultSecurityProvider implements TransportSecurityProvider {
    @Override
    public Transport secure(Transport plain) throws IOException {
        return SecureTransport.wrap(plain)
                .identity(Identity.loadOrCreateDefault())
                .knownPeers(KnownPeers.openDefault(), null)
                .build();
    }
}
