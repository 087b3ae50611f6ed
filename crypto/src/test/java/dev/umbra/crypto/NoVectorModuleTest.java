package dev.umbra.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedder that does not add {@code jdk.incubator.vector}: a child JVM (this test's class path,
 * no {@code --add-modules}) seals and opens with the plain-Java paths, and never loads a vector
 * class or the incubator module (checked with {@code -verbose:class}).
 */
class NoVectorModuleTest {
  @Test
  void worksWithoutTheIncubatorModuleAndNeverLoadsTheVectorClasses(@TempDir Path dir)
      throws Exception {
    Path log = dir.resolve("child.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-verbose:class",
                    "-cp",
                    System.getProperty("java.class.path"),
                    NoVectorModuleMain.class.getName()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("child JVM did not finish in 60 s");
      }
    } finally {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("dev.umbra.crypto.ChaCha20Poly1305 ");
    assertThat(out.lines()).anyMatch(l -> l.equals("OK"));
    assertThat(out)
        .doesNotContain("dev.umbra.crypto.VectorChaCha20")
        .doesNotContain("dev.umbra.crypto.VectorPoly1305")
        .doesNotContain("jdk.incubator.vector");
  }
}
