package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.config.Jsonc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatAndMergeTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text);
  }

  private static final String MESSY =
      """
      {
        // a comment
        "log": {"level": "debug", "output": null,},
        "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": 2080}],
        "route": {"rules": []}
      }
      """;

  private static final String FORMATTED =
      """
      {
        "log": {
          "level": "debug"
        },
        "inbounds": [
          {
            "type": "mixed",
            "tag": "in",
            "listen": "127.0.0.1",
            "listen_port": 2080
          }
        ]
      }
      """;

  @Test
  void formatPrintsTwoSpaceJsonWithoutCommentsOrEmptyValues() throws IOException {
    Path f = write("c.json", MESSY);
    var r = CliRunner.run("format", "-c", f.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo(FORMATTED);
    assertThat(Files.readString(f)).isEqualTo(MESSY); // untouched without -w
  }

  @Test
  void formatWriteRewritesTheFileAndNamesIt() throws IOException {
    Path f = write("c.json", MESSY);
    var r = CliRunner.run("format", "-w", "-c", f.toString());
    assertThat(r.code()).isZero();
    assertThat(Files.readString(f)).isEqualTo(FORMATTED);
    assertThat(r.stderr().strip()).isEqualTo(f.toAbsolutePath().toString());
    // already formatted: nothing written, nothing said
    var again = CliRunner.run("format", "-w", "-c", f.toString());
    assertThat(again.stderr()).isEmpty();
  }

  @Test
  void formatWithSeveralFilesNamesEachOne() throws IOException {
    Path a = write("a.json", "{\"log\": {\"level\": \"warn\"}}");
    Path b = write("b.json", "{\"log\": {\"level\": \"error\"}}");
    var r = CliRunner.run("format", "-c", b.toString(), "-c", a.toString());
    assertThat(r.out())
        .isEqualTo(
            a.toAbsolutePath()
                + "\n{\n  \"log\": {\n    \"level\": \"warn\"\n  }\n}\n"
                + b.toAbsolutePath()
                + "\n{\n  \"log\": {\n    \"level\": \"error\"\n  }\n}\n");
  }

  @Test
  void formatReportsSyntaxErrorsWithLineAndColumn() throws IOException {
    Path f = write("bad.json", "{\n  \"log\": {\"level\": \"info\"\n}\n");
    var r = CliRunner.run("format", "-c", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.stderr())
        .containsPattern("bad\\.json:\\d+:\\d+: invalid JSON")
        .doesNotContain("\tat ");
  }

  @Test
  void mergeWritesTheMergedConfigAndInlinesCertificates() throws IOException {
    write("conf/10-in.json", "{\"inbounds\": [{\"type\": \"mixed\", \"tag\": \"in\"}]}");
    write(
        "conf/20-out.json",
        "{\"outbounds\": [{\"type\": \"direct\", \"tag\": \"direct\"}], \"route\": {\"final\": \"direct\"}}");
    write(
        "tls.json",
        "{\"inbounds\": [{\"type\": \"http\", \"tag\": \"tls-in\", \"tls\": {\"enabled\": true,"
            + " \"certificate_path\": \"cert.pem\"}}]}");
    write("cert.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n\n-----END CERTIFICATE-----\n");
    var r =
        CliRunner.run(
            "merge", "out/merged.json", "-D", dir.toString(), "-C", "conf", "-c", "tls.json");
    assertThat(r.code()).as(r.stderr()).isZero();
    Path out = dir.resolve("out/merged.json");
    assertThat(r.stderr().strip()).isEqualTo(out.toString());
    var merged = Jsonc.parse(Files.readString(out), "merged");
    // paths sorted: conf/10-in.json, conf/20-out.json, tls.json
    assertThat(merged.get("inbounds").findValuesAsString("tag")).containsExactly("in", "tls-in");
    assertThat(merged.get("outbounds")).hasSize(1);
    assertThat(merged.at("/inbounds/1/tls/certificate").toString())
        .isEqualTo("[\"-----BEGIN CERTIFICATE-----\",\"AAAA\",\"-----END CERTIFICATE-----\"]");
    assertThat(merged.at("/inbounds/1/tls/certificate_path").stringValue()).isEqualTo("cert.pem");
  }

  @Test
  void mergeReadsStdin() throws IOException {
    var r =
        CliRunner.withStdin(
            "{\"log\": {\"level\": \"warn\"}}",
            "merge",
            dir.resolve("m.json").toString(),
            "-c",
            "stdin");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(Files.readString(dir.resolve("m.json")))
        .isEqualTo("{\n  \"log\": {\n    \"level\": \"warn\"\n  }\n}\n");
  }
}
