package dev.viz.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import com.sun.jna.Native;
import dev.viz.core.spi.AudioDeviceProvider;
import dev.viz.core.spi.CodecProvider;
import dev.viz.core.spi.CompressorProvider;
import io.github.jaredmdobson.concentus.OpusEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * viz-audio's module descriptor, read from the compiled {@code module-info.class} (the tests run on
 * the class path, so nothing else looks at it): the API packages only, the ServiceLoader providers
 * the class path registers too, and the automatic modules it requires named as their jars really
 * name them.
 */
class ModuleDescriptorTest {
    /** The descriptor in viz-audio's classes directory or jar (not the first module-info.class on the class path). */
    private static ModuleDescriptor descriptor() throws Exception {
        ModuleDescriptor module = ModuleFinder.of(location(AudioDevices.class)).findAll().stream()
                .map(ModuleReference::descriptor).findFirst().orElseThrow();
        assertTrue(!module.isAutomatic(), "viz-audio has a module-info.class: " + module);
        return module;
    }

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void shouldExportOnlyTheApiPackages() throws Exception {
        ModuleDescriptor module = descriptor();
        assertEquals("dev.viz.audio", module.name());
        Set<String> exported = module.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("dev.viz.audio", "dev.viz.audio.javasound", "dev.viz.audio.opus.nativelib",
                "dev.viz.audio.portaudio", "dev.viz.audio.processing", "dev.viz.audio.pulse"), exported);
        assertTrue(module.packages().contains("dev.viz.audio.internal"), "internal is in the module, not exported");
    }

    @Test
    void shouldProvideWhatTheClassPathRegisters() throws Exception {
        ModuleDescriptor module = descriptor();
        for (Class<?> service : List.of(AudioDeviceProvider.class, CodecProvider.class, CompressorProvider.class)) {
            List<String> provided = module.provides().stream().filter(p -> p.service().equals(service.getName()))
                    .flatMap(p -> p.providers().stream()).toList();
            assertEquals(servicesFile(service), provided, service.getSimpleName());
        }
    }

    @Test
    void shouldRequireTheAutomaticModulesByTheNamesTheirJarsGet() throws Exception {
        Set<String> required = descriptor().requires().stream().map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toSet());
        for (Class<?> fromJar : List.of(OpusEncoder.class, Native.class, Zstd.class)) {
            String name = moduleNameOfJar(fromJar);
            System.out.println(fromJar.getName() + " is in module " + name);
            assertTrue(required.contains(name), "requires " + name + " (the module of " + fromJar.getName() + ")");
        }
        assertEquals("concentus", moduleNameOfJar(OpusEncoder.class), "Concentus has no module name of its own");
    }

    private static String moduleNameOfJar(Class<?> type) throws URISyntaxException {
        return ModuleFinder.of(location(type)).findAll().stream().map(ModuleReference::descriptor).map(ModuleDescriptor::name)
                .findFirst().orElseThrow();
    }

    private static List<String> servicesFile(Class<?> service) throws IOException {
        try (InputStream in = AudioDevices.class.getResourceAsStream("/META-INF/services/" + service.getName())) {
            assertNotNull(in, "META-INF/services/" + service.getName());
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }
}
