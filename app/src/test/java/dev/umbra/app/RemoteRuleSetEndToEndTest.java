package dev.umbra.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.umbra.core.route.srs.Srs;
import dev.umbra.core.route.srs.SrsJson;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umbra run} with a remote binary rule-set served on 127.0.0.1: names in the set go to the
 * {@code block} outbound, the rest direct (checked with the real curl); after a restart with the
 * rule-set server gone, the cached copy under the working directory still applies.
 */
@Tag("interop")
class RemoteRuleSetEndToEndTest {
  @TempDir Path dir;

  @Test
  void remoteRuleSetRoutesAndSurvivesARestartOffline() throws Exception {
    byte[] srs =
        Srs.write(
            SrsJson.downgraded(
                SrsJson.parse("{\"version\":2,\"rules\":[{\"domain\":\"localhost\"}]}", "t")));
    AtomicInteger downloads = new AtomicInteger();
    HttpServer sets =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    sets.createContext(
        "/block.srs",
        ex -> {
          downloads.incrementAndGet();
          ex.sendResponseHeaders(200, srs.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(srs);
          }
        });
    sets.start();
    try (OriginServer origin = new OriginServer()) {
      int proxyPort = UmbraProcess.freePort();
      String config =
          """
          {
            "log": {"level": "info"},
            "dns": {
              "servers": [{"type": "hosts", "tag": "hosts", "predefined": {"a.test": ["127.0.0.1"]}}],
              "rules": [{"rule_set": "blocked", "action": "predefined", "rcode": "NXDOMAIN"}]
            },
            "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
            "outbounds": [{"type": "direct", "tag": "direct"}, {"type": "block", "tag": "block"}],
            "route": {
              "rule_set": [{"type": "remote", "tag": "blocked", "download_detour": "direct",
                            "url": "http://127.0.0.1:%d/block.srs"}],
              "rules": [{"rule_set": "blocked", "outbound": "block"}],
              "final": "direct"
            }
          }
          """
              .formatted(proxyPort, sets.getAddress().getPort());
      Path file = Files.writeString(dir.resolve("config.json"), config);

      try (UmbraProcess umbra = UmbraProcess.start(dir, "run", "-c", file.toString())) {
        umbra.awaitListening(proxyPort);
        // The download runs once every component has started, just after the listener opens.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!umbra.log().contains("rule-set blocked: updated")) {
          assertThat(System.nanoTime()).as(umbra.log()).isLessThan(deadline);
          Thread.sleep(20);
        }
        assertRouting(proxyPort, origin, umbra);
        umbra.signal("TERM");
        assertThat(umbra.waitForExit(Duration.ofSeconds(20))).as(umbra.log()).isZero();
      }
      // route and DNS rules share one copy of the rule-set: one download, not one each
      assertThat(downloads.get()).isEqualTo(1);
      assertThat(dir.resolve("cache/rule-set/rs-blocked.bin")).hasBinaryContent(srs);

      sets.stop(0);
      try (UmbraProcess umbra = UmbraProcess.start(dir, "run", "-c", file.toString())) {
        umbra.awaitListening(proxyPort);
        assertRouting(proxyPort, origin, umbra);
        umbra.signal("TERM");
        assertThat(umbra.waitForExit(Duration.ofSeconds(20))).as(umbra.log()).isZero();
      }
    } finally {
      sets.stop(0);
    }
  }

  private static void assertRouting(int proxyPort, OriginServer origin, UmbraProcess umbra)
      throws Exception {
    var direct =
        Curl.run(
            "-x", "socks5h://127.0.0.1:" + proxyPort, "http://127.0.0.1:" + origin.port() + "/a");
    assertThat(direct.code()).as("%s\n%s", direct.stderr(), umbra.log()).isZero();
    assertThat(direct.body()).startsWith("origin says hello to /a");
    var blocked =
        Curl.run(
            "-x", "socks5h://127.0.0.1:" + proxyPort, "http://localhost:" + origin.port() + "/b");
    assertThat(blocked.code()).as(umbra.log()).isNotZero();
    assertThat(blocked.body()).doesNotContain("origin says hello");
  }
}
