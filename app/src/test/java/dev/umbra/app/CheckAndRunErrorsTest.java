package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check} on good configs, and errors of {@code run} that happen before serving. */
class CheckAndRunErrorsTest {
  @TempDir Path dir;

  @Test
  void builtInDefaultConfigPassesCheck() {
    var r = CliRunner.run("check");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.stderr()).isEmpty();
    var d = ConfigSource.defaultConfig();
    assertThat(d.at("/inbounds/0/type").stringValue()).isEqualTo("mixed");
    assertThat(d.at("/inbounds/0/listen").stringValue()).isEqualTo("127.0.0.1");
    assertThat(d.at("/inbounds/0/listen_port").intValue()).isEqualTo(2080);
    assertThat(d.at("/route/final").stringValue()).isEqualTo("direct");
  }

  @Test
  void configSplitOverADirectoryPassesCheckOnlyWhenMerged() throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.writeString(
        conf.resolve("10-in.json"),
        "{\"inbounds\": [{\"type\": \"mixed\", \"tag\": \"in\", \"listen\": \"127.0.0.1\","
            + " \"listen_port\": 0}], \"route\": {\"final\": \"out\"}}");
    Files.writeString(
        conf.resolve("20-out.json"), "{\"outbounds\": [{\"type\": \"direct\", \"tag\": \"out\"}]}");
    var merged = CliRunner.run("check", "-C", conf.toString());
    assertThat(merged.code()).as(merged.stderr()).isZero();
    // alone, the first file names an outbound that only the second defines
    var alone = CliRunner.run("check", "-c", conf.resolve("10-in.json").toString());
    assertThat(alone.code()).isEqualTo(1);
    assertThat(alone.stderr()).contains("route.final").contains("out");
  }

  @Test
  void runFailsCleanlyWhenThePortIsTaken() throws IOException {
    try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config =
          Files.writeString(dir.resolve("c.json"), UmbraProcess.mixedConfig(taken.getLocalPort()));
      var r = CliRunner.run("run", "-c", config.toString());
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.stderr())
          .startsWith("umbra: ")
          .contains("mixed-in")
          .contains(Integer.toString(taken.getLocalPort()))
          .doesNotContain("\tat ");
    }
  }

  @Test
  void runReportsConfigErrorsWithTheirPath() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("c.json"),
            "{\"inbounds\": [{\"type\": \"mixed\", \"tag\": \"in\", \"listen_port\": -1}]}");
    var r = CliRunner.run("run", "-c", config.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.stderr()).contains("inbounds[0].listen_port");
  }
}
