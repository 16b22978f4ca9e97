package dev.viz.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What Maven users get: viz-bom (which has no parent, so nothing checks it otherwise) has the
 * parent's version and manages every published module; every published POM carries the metadata
 * Maven Central requires, itself or from the parent; and dev.viz:viz brings core, audio and
 * transport.
 */
class PublishedArtifactsTest {
    /** From the module directory (where Maven runs the tests) to the repository root. */
    private static final Path ROOT = Path.of("..");

    private static Document pom(String module) throws Exception {
        Path file = module.isEmpty() ? ROOT.resolve("pom.xml") : ROOT.resolve(module).resolve("pom.xml");
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && n.getNodeName().equals(name)) {
                return (Element) n;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    private static List<String> modules() throws Exception {
        List<String> modules = new ArrayList<>();
        NodeList list = child(pom("").getDocumentElement(), "modules").getElementsByTagName("module");
        for (int i = 0; i < list.getLength(); i++) {
            modules.add(list.item(i).getTextContent().trim());
        }
        return modules;
    }

    /** Modules that are installed and deployed (the examples and benchmarks are not). */
    private static boolean published(Document pom) {
        Element properties = child(pom.getDocumentElement(), "properties");
        return properties == null || !"true".equals(text(properties, "maven.deploy.skip"));
    }

    @Test
    void shouldManageEveryPublishedModuleInTheBomAtTheParentsVersion() throws Exception {
        Element parent = pom("").getDocumentElement();
        Element bom = pom("viz-bom").getDocumentElement();
        assertEquals(text(parent, "version"), text(bom, "version"), "viz-bom has the parent's version");
        assertEquals("pom", text(bom, "packaging"));
        assertEquals(null, child(bom, "parent"), "no parent: importing the BOM pins nothing but Viz");

        Set<String> managed = new TreeSet<>();
        NodeList deps = child(child(bom, "dependencyManagement"), "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals("dev.viz", text(d, "groupId"));
            assertEquals("${project.version}", text(d, "version"));
            managed.add(text(d, "artifactId"));
        }
        Set<String> publishedModules = new TreeSet<>();
        for (String module : modules()) {
            Document pom = pom(module);
            String packaging = text(pom.getDocumentElement(), "packaging");
            if (published(pom) && !"pom".equals(packaging)) {
                publishedModules.add(text(pom.getDocumentElement(), "artifactId"));
            }
        }
        assertEquals(publishedModules, managed, "the BOM manages exactly the published jars");
    }

    @Test
    void shouldCarryTheMetadataMavenCentralRequires() throws Exception {
        for (String module : List.of("", "viz-bom")) {
            Element root = pom(module).getDocumentElement();
            for (String required : List.of("name", "description", "url", "licenses", "developers", "scm")) {
                assertTrue(child(root, required) != null && !text(root, required).isEmpty(),
                        (module.isEmpty() ? "the parent" : module) + " has <" + required + ">");
            }
        }
        for (String module : modules()) {
            Element root = pom(module).getDocumentElement();
            assertFalse(text(root, "name") == null || text(root, "description") == null,
                    module + " has its own name and description (the rest is inherited)");
        }
    }

    @Test
    void shouldBringCoreAudioAndTransportThroughTheOneDependency() throws Exception {
        Set<String> brought = new TreeSet<>();
        NodeList deps = child(pom("viz").getDocumentElement(), "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (text(d, "scope") == null) {
                brought.add(text(d, "artifactId"));
            }
        }
        assertEquals(Set.of("viz-audio", "viz-core", "viz-transport"), brought);
        // And it works: this module depends on dev.viz:viz alone, and the defaults are found.
        assertTrue(Files.exists(ROOT.resolve("viz/src/main/java/module-info.java")));
        dev.viz.core.VoiceSession.Builder builder = dev.viz.core.VoiceSession.builder()
                .input(dev.viz.audio.AudioDevices.silence()).output(dev.viz.audio.AudioDevices.nullOutput())
                .transport(dev.viz.transport.udp.UdpTransport.listen(0));
        try (dev.viz.core.VoiceSession session = builder.build()) {
            assertTrue(session.transport().isSecure(), "the secure layer found through the service providers");
        }
    }
}
