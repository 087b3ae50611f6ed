package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the real CLI entry point ({@code umbra run -c config.json} in its own process)
 * with the real curl: a mixed inbound on a free port, routed direct to a local HTTP server.
 */
@Tag("interop")
class CurlEndToEndTest {
  @TempDir static Path dir;
  static OriginServer origin;
  static UmbraProcess umbra;
  static int proxyPort;

  @BeforeAll
  static void start() throws Exception {
    origin = new OriginServer();
    proxyPort = UmbraProcess.freePort();
    Path config =
        Files.writeString(dir.resolve("config.json"), UmbraProcess.mixedConfig(proxyPort));
    umbra = UmbraProcess.start(dir, "run", "-c", config.toString());
    umbra.awaitListening(proxyPort);
  }

  @AfterAll
  static void stop() throws Exception {
    if (umbra != null) {
      umbra.signal("TERM");
      assertThat(umbra.waitForExit(Duration.ofSeconds(20))).as(umbra.log()).isZero();
    }
    if (origin != null) {
      origin.close();
    }
  }

  private String target(String host, String path) {
    return "http://" + host + ":" + origin.port() + path;
  }

  private static void assertOk(Curl.Result r, String path) {
    assertThat(r.code())
        .as("curl exit; stderr: %s; umbra log:\n%s", r.stderr(), umbra.log())
        .isZero();
    assertThat(r.body()).startsWith("origin says hello to " + path);
  }

  @Test
  void socks5WithLocalDns() throws Exception {
    var r = Curl.run("-x", "socks5://127.0.0.1:" + proxyPort, target("127.0.0.1", "/socks5"));
    assertOk(r, "/socks5");
  }

  @Test
  void socks5WithRemoteDns() throws Exception {
    // socks5h: curl sends the name, Umbra resolves it
    var r = Curl.run("-x", "socks5h://127.0.0.1:" + proxyPort, target("localhost", "/socks5h"));
    assertOk(r, "/socks5h");
  }

  @Test
  void httpConnect() throws Exception {
    var r =
        Curl.run(
            "--proxytunnel",
            "-x",
            "http://127.0.0.1:" + proxyPort,
            target("127.0.0.1", "/connect"));
    assertOk(r, "/connect");
  }

  @Test
  void plainHttpForwarding() throws Exception {
    var r = Curl.run("-x", "http://127.0.0.1:" + proxyPort, target("127.0.0.1", "/plain"));
    assertOk(r, "/plain");
    assertThat(r.body()).contains("via 127.0.0.1:" + origin.port());
  }

  @Test
  void severalRequestsOnOneKeptAliveProxyConnection() throws Exception {
    var r =
        Curl.run(
            "-x",
            "http://127.0.0.1:" + proxyPort,
            target("127.0.0.1", "/one"),
            target("127.0.0.1", "/two"));
    assertThat(r.code()).as(r.stderr()).isZero();
    assertThat(r.body()).contains("hello to /one").contains("hello to /two");
  }
}
