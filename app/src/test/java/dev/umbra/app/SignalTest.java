package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signals to a running {@code umbra run}: SIGTERM stops it cleanly, SIGHUP reloads its config. */
@Tag("interop")
class SignalTest {
  @TempDir Path dir;

  private static void assertServes(int port, OriginServer origin) throws Exception {
    var r =
        Curl.run(
            "-x", "socks5://127.0.0.1:" + port, "http://127.0.0.1:" + origin.port() + "/probe");
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.body()).startsWith("origin says hello to /probe");
  }

  @Test
  void sigtermExitsZero() throws Exception {
    int port = UmbraProcess.freePort();
    Path config = Files.writeString(dir.resolve("c.json"), UmbraProcess.mixedConfig(port));
    try (var umbra = UmbraProcess.start(dir, "run", "-c", config.toString())) {
      umbra.awaitListening(port);
      umbra.signal("TERM");
      assertThat(umbra.waitForExit(Duration.ofSeconds(20))).as(umbra.log()).isZero();
      assertThat(UmbraProcess.canConnect(port)).isFalse();
    }
  }

  @Test
  void sigintExitsZero() throws Exception {
    int port = UmbraProcess.freePort();
    Path config = Files.writeString(dir.resolve("c.json"), UmbraProcess.mixedConfig(port));
    try (var umbra = UmbraProcess.start(dir, "run", "-c", config.toString())) {
      umbra.awaitListening(port);
      umbra.signal("INT");
      assertThat(umbra.waitForExit(Duration.ofSeconds(20))).as(umbra.log()).isZero();
    }
  }

  @Test
  void sighupWithBrokenConfigKeepsServingAndWithGoodConfigMovesThePort() throws Exception {
    int first = UmbraProcess.freePort();
    Path config = Files.writeString(dir.resolve("c.json"), UmbraProcess.mixedConfig(first));
    try (var origin = new OriginServer();
        var umbra = UmbraProcess.start(dir, "run", "-c", config.toString())) {
      umbra.awaitListening(first);
      assertServes(first, origin);

      // a broken file: logged, the running config stays
      Files.writeString(
          config, "{\"inbounds\": [ {\"type\": \"mixed\", \"listen_port\": \"x\"} ]}");
      umbra.signal("HUP");
      umbra.awaitLog("keeping the running config", Duration.ofSeconds(20));
      assertThat(umbra.log()).contains("inbounds[0].listen_port");
      assertServes(first, origin);

      // a good file with another port: the listener moves
      int second = UmbraProcess.freePort();
      Files.writeString(config, UmbraProcess.mixedConfig(second));
      umbra.signal("HUP");
      umbra.awaitListening(second);
      umbra.await("old port closed", Duration.ofSeconds(20), () -> !UmbraProcess.canConnect(first));
      assertServes(second, origin);

      umbra.signal("TERM");
      assertThat(umbra.waitForExit(Duration.ofSeconds(20))).as(umbra.log()).isZero();
    }
  }
}
