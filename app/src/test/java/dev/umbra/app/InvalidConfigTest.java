package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus in {@code src/test/resources/invalid-configs}: each file starts with two comment
 * lines, {@code // path: <JSON path>} and {@code // error: <text>}. {@code umbra check -c FILE}
 * must exit 1 with a one-line message on stderr naming that path and containing that text, and no
 * stack trace.
 */
class InvalidConfigTest {
  record Case(Path file, String path, String error) {
    @Override
    public String toString() {
      return file.getFileName().toString();
    }
  }

  static Path corpus() throws URISyntaxException {
    return Path.of(InvalidConfigTest.class.getResource("/invalid-configs").toURI());
  }

  static Stream<Case> cases() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(corpus())) {
      List<Path> sorted = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
      return sorted.stream().map(InvalidConfigTest::load).toList().stream();
    }
  }

  private static Case load(Path f) {
    try {
      List<String> lines = Files.readAllLines(f);
      String path = header(lines.get(0), "// path:", f);
      String error = header(lines.get(1), "// error:", f);
      return new Case(f, path, error);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String header(String line, String prefix, Path f) {
    if (!line.startsWith(prefix)) {
      throw new IllegalStateException(f + ": expected a '" + prefix + "' line, got " + line);
    }
    return line.substring(prefix.length()).strip();
  }

  @Test
  void corpusHasAtLeastThirtyConfigs() throws Exception {
    assertThat(cases().count()).isGreaterThanOrEqualTo(30);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void checkRejectsWithPathAndReason(Case c) {
    var r = CliRunner.run("check", "-c", c.file().toString());
    assertThat(r.code()).as("exit code; stderr: %s", r.stderr()).isEqualTo(1);
    String err = r.stderr();
    assertThat(err).startsWith("umbra: ").doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(err.strip().lines()).as("one line").hasSize(1);
    if (!c.path().isEmpty()) {
      assertThat(err).as("names the JSON path").contains(c.path());
    }
    assertThat(err).as("says what is wrong").contains(c.error());
  }
}
