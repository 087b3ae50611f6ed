package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GenerateAndVersionTest {
  @Test
  void uuidIsRandomVersion4() {
    var a = CliRunner.run("generate", "uuid");
    var b = CliRunner.run("generate", "uuid");
    assertThat(a.code()).isZero();
    UUID u = UUID.fromString(a.out().strip());
    assertThat(u.version()).isEqualTo(4);
    assertThat(u.variant()).isEqualTo(2);
    assertThat(a.out()).endsWith("\n").isNotEqualTo(b.out());
  }

  @Test
  void randWritesRawBase64OrHex() {
    var raw = CliRunner.run("generate", "rand", "32");
    assertThat(raw.code()).isZero();
    assertThat(raw.stdout()).hasSize(32);

    var b64 = CliRunner.run("generate", "rand", "16", "--base64");
    assertThat(Base64.getDecoder().decode(b64.out().strip())).hasSize(16);

    var hex = CliRunner.run("generate", "rand", "16", "--hex");
    assertThat(hex.out()).matches("[0-9a-f]{32}\n");
    assertThat(HexFormat.of().parseHex(hex.out().strip())).hasSize(16);
  }

  @Test
  void randRejectsBadLengthsWithoutStackTrace() {
    var r = CliRunner.run("generate", "rand", "-1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.stderr()).contains("length must be between").doesNotContain("\tat ");
    var notNumber = CliRunner.run("generate", "rand", "many");
    assertThat(notNumber.code()).isEqualTo(2);
    assertThat(notNumber.stderr()).contains("LENGTH");
  }

  @Test
  void versionPrintsNameAndRuntime() {
    var r = CliRunner.run("version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("umbra version ").contains("Environment: Java 25");
    var n = CliRunner.run("version", "-n");
    assertThat(n.out()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n");
  }

  @Test
  void unknownCommandIsAUsageError() {
    var r = CliRunner.run("frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.stderr()).contains("frobnicate");
  }
}
