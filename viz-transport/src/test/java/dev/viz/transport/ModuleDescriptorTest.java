package dev.viz.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.goterl.lazysodium.utils.LibraryLoader;
import com.sun.jna.Native;
import dev.viz.core.Transport;
import dev.viz.core.spi.TransportSecurityProvider;
import dev.viz.transport.udp.UdpTransport;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jctools.queues.SpscArrayQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The module {@code dev.viz.transport} as built: what it exports and provides, and that it resolves
 * and serves its security provider on a real module path (with lazysodium and JNA as automatic
 * modules). The tests themselves run on the class path.
 */
class ModuleDescriptorTest {
    private static Path locationOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleDescriptor descriptor() throws Exception {
        return ModuleFinder.of(locationOf(UdpTransport.class)).find("dev.viz.transport").orElseThrow().descriptor();
    }

    @Test
    void shouldExportOnlyTheApiPackages() throws Exception {
        ModuleDescriptor d = descriptor();
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("dev.viz.transport.direct", "dev.viz.transport.impair",
                "dev.viz.transport.loopback",
                "dev.viz.transport.reach", "dev.viz.transport.secure", "dev.viz.transport.stream",
                "dev.viz.transport.turn", "dev.viz.transport.udp")), exported);
        assertTrue(d.packages().contains("dev.viz.transport.stream.internal"), "the stream framing stays inside");
        assertTrue(d.packages().contains("dev.viz.transport.turn.internal"), "the STUN codec stays inside");
        assertTrue(d.packages().contains("dev.viz.transport.direct.internal"), "the path messages stay inside");
        assertTrue(d.packages().contains("dev.viz.transport.secure.internal"), "the internals are in the module");
        assertTrue(d.opens().isEmpty(), "nothing opened to reflection");
    }

    @Test
    void shouldDeclareTheSecurityProvider() throws Exception {
        ModuleDescriptor.Provides provides = descriptor().provides().stream()
                .filter(p -> p.service().equals(TransportSecurityProvider.class.getName())).findFirst().orElseThrow();
        assertEquals(List.of("dev.viz.transport.secure.internal.DefaultSecurityProvider"), provides.providers());
    }

    @Test
    void shouldResolveAndServeItsProviderOnTheModulePath() throws Exception {
        Path core = locationOf(Transport.class);
        assumeTrue(Files.isRegularFile(core) || Files.exists(core.resolve("module-info.class")),
                "viz-core is an unpackaged directory without module-info (mvn test without package): skipped");
        ModuleFinder finder = ModuleFinder.of(locationOf(UdpTransport.class), core, locationOf(LibraryLoader.class),
                locationOf(Native.class), locationOf(SpscArrayQueue.class), locationOf(LoggerFactory.class));
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.viz.transport"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration,
                ClassLoader.getPlatformClassLoader());
        Module transport = layer.findModule("dev.viz.transport").orElseThrow();
        assertTrue(transport.isNamed());
        assertTrue(transport.isExported("dev.viz.transport.secure"));
        assertTrue(!transport.isExported("dev.viz.transport.secure.internal"), "internal stays inside");
        Class<?> service = layer.findLoader("dev.viz.core").loadClass(TransportSecurityProvider.class.getName());
        List<String> providers = ServiceLoader.load(layer, service).stream()
                .map(p -> p.type().getName()).collect(Collectors.toList());
        assertEquals(List.of("dev.viz.transport.secure.internal.DefaultSecurityProvider"), providers);
    }
}
