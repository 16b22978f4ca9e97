package dev.viz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The module exports the API only, and the engine keeps its classes to itself. */
class ModuleDescriptorTest {
    private static Path classes() throws Exception {
        return Path.of(VoiceSession.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void shouldExportOnlyTheApiPackages() throws Exception {
        ModuleReference module = ModuleFinder.of(classes()).find("dev.viz.core").orElseThrow();
        ModuleDescriptor descriptor = module.descriptor();
        Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("dev.viz.core", "dev.viz.core.batch", "dev.viz.core.spi"), exported);
        assertTrue(descriptor.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified));
        assertTrue(descriptor.packages().containsAll(List.of("dev.viz.core.internal", "dev.viz.core.wire")));
    }

    @Test
    void shouldKeepTheEngineNonPublicExceptItsThreeDocumentedEntryPoints() throws Exception {
        Set<String> publicClasses = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes().resolve("dev/viz/core/internal"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !name.contains("$") && !name.equals("package-info.class")) {
                    Class<?> type = Class.forName("dev.viz.core.internal." + name.replace(".class", ""));
                    if (Modifier.isPublic(type.getModifiers())) {
                        publicClasses.add(type.getSimpleName());
                    }
                }
            }
        }
        // SessionEngine and SessionConfig: built by VoiceSession in another package; JitterBufferAccess: the
        // benchmarks' hook. None is exported.
        assertEquals(Set.of("JitterBufferAccess", "SessionConfig", "SessionEngine"), publicClasses);
    }
}
