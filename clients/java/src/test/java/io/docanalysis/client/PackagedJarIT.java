package io.docanalysis.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Runs (maven-failsafe-plugin, `mvn verify`) against the packaged library jar, not target/classes: the jar holds
 * the client and the generated messages, not the command line (which has its own jar), and it works.
 */
class PackagedJarIT {
  @Test
  void libraryJarWorksAndLeavesTheCliOut() throws Exception {
    Path jar = Path.of(DocanalysisClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(jar.toString().endsWith(".jar"), "the client was loaded from " + jar + ", not the packaged jar");
    try (JarFile f = new JarFile(jar.toFile())) {
      assertTrue(f.getEntry("io/docanalysis/client/DocanalysisClient.class") != null);
      assertTrue(f.getEntry("io/docanalysis/v1/AnalyzeRequest.class") != null, "generated messages in the jar");
      assertTrue(f.getEntry("io/docanalysis/client/Cli.class") == null, "the CLI is not in the library jar");
    }
    try (DocanalysisClient c = DocanalysisClient.create(ClientConfig.forTarget(LiveServer.target()).build())) {
      assertEquals(1, c.analyze("Angela Merkel visited Paris.", "sentiment").getSentencesCount());
      assertThrows(DocanalysisException.class, () -> c.analyze("x", "no-such-feature"));
    }
  }
}
