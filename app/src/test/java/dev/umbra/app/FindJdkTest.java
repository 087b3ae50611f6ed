package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .ci/find-jdk}, which the launcher and CI use: JAVA_HOME, then PATH, then the newest JDK.
 */
class FindJdkTest {
  @TempDir Path dir;

  static final Path SCRIPT = repoRoot().resolve(".ci/find-jdk");

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve(".ci/find-jdk"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("repository root not found");
    }
    return p;
  }

  /** A fake JDK whose java prints the given major version as `java -version` does. */
  private Path fakeJdk(String name, int major, boolean withJavac) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("jvm").resolve(name).resolve("bin"));
    script(bin.resolve("java"), "echo 'openjdk version \"" + major + ".0.1\" 2025-01-01' >&2");
    if (withJavac) {
      script(bin.resolve("javac"), "exit 0");
    }
    return bin.getParent();
  }

  private static void script(Path p, String body) throws IOException {
    Files.writeString(p, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Result(int code, String out, String err) {}

  private Result find(Map<String, String> env) throws Exception {
    var pb = new ProcessBuilder("bash", SCRIPT.toString());
    pb.environment().remove("JAVA_HOME");
    pb.environment().put("PATH", "/usr/bin:/bin");
    pb.environment().put("UMBRA_JVM_DIR", dir.resolve("jvm").toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, err);
  }

  @Test
  void prefersJavaHomeWhenItIs25OrNewer() throws Exception {
    Path home = fakeJdk("mine", 25, true);
    fakeJdk("newer", 27, true);
    assertThat(find(Map.of("JAVA_HOME", home.toString())).out()).isEqualTo(home.toString());
  }

  @Test
  void skipsAnOldJavaHomeAndAnOldPathJavaAndPicksTheNewestJdk() throws Exception {
    Path old = fakeJdk("old", 17, true);
    fakeJdk("a-25", 25, true);
    Path newest = fakeJdk("b-26", 26, true);
    fakeJdk("c-27-jre", 27, false); // no javac: cannot build
    var r =
        find(Map.of("JAVA_HOME", old.toString(), "PATH", old.resolve("bin") + ":/usr/bin:/bin"));
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(newest.toString());
  }

  @Test
  void usesJavaOnPathWhenItIs25() throws Exception {
    Path onPath = fakeJdk("path-25", 25, true);
    fakeJdk("other-26", 26, true);
    var r = find(Map.of("PATH", onPath.resolve("bin") + ":/usr/bin:/bin"));
    assertThat(r.out()).isEqualTo(onPath.toString());
  }

  @Test
  void readsTheReleaseFileWithoutStartingJava() throws Exception {
    Path home = fakeJdk("release-only", 17, true);
    // java itself would say 17; the release file (what the JDK ships) says 25 and is read first
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"X\"\nJAVA_VERSION=\"25.0.3\"\n");
    assertThat(find(Map.of()).out()).isEqualTo(home.toString());
  }

  @Test
  void failsWithAClearMessageWhenNoneIsFound() throws Exception {
    fakeJdk("old", 17, true);
    var r = find(Map.of());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("no JDK 25 or newer found");
  }
}
