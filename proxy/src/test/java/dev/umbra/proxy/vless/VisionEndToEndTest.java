package dev.umbra.proxy.vless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VLESS with {@code flow: xtls-rprx-vision} Umbra to Umbra over TLS (no Vision peer here): curl
 * fetches over HTTPS (inner TLS 1.3 from openssl s_server) through the tunnel, checked by hash;
 * plain HTTP (inner non-TLS) both ways; UDP beside it; Vision refused without TLS.
 */
@Tag("interop")
class VisionEndToEndTest {
  @TempDir Path dir;

  @Test
  void httpsAndHttpThroughVision() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    int https = FreePort.tcp();
    // openssl s_server -WWW serves files relative to its working directory (the module's)
    Path www = Path.of("target", "vision-www");
    Files.createDirectories(www);
    byte[] blob = new byte[3 * 1024 * 1024 + 11];
    new Random(7).nextBytes(blob);
    Path file = Files.write(www.resolve("blob-" + https + ".bin"), blob);
    try (HttpOrigin origin = new HttpOrigin();
        UdpEcho echo = new UdpEcho();
        PeerProcess tlsOrigin =
            PeerProcess.start(
                "openssl-s_server",
                https,
                Duration.ofSeconds(15),
                "openssl",
                "s_server",
                "-accept",
                "127.0.0.1:" + https,
                "-cert",
                certs.certificate().toString(),
                "-key",
                certs.key().toString(),
                "-WWW",
                "-quiet");
        Harness.Running server =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "vless", "tag": "in", "listen": "127.0.0.1",
                   "listen_port": %d,
                   "users": [{"name": "u", "uuid": "%s", "flow": "xtls-rprx-vision"}],
                   "tls": {"enabled": true, "certificate_path": "%s", "key_path": "%s"}}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(port, Harness.UUID, certs.certificate(), certs.key()));
        Harness.Running client =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [
                   {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
                   {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
                    "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
                 "outbounds": [{"type": "vless", "tag": "out", "server": "127.0.0.1",
                   "server_port": %d, "uuid": "%s", "flow": "xtls-rprx-vision",
                   "tls": {"enabled": true, "server_name": "localhost",
                     "certificate_path": "%s"}}]}
                """
                    .formatted(socks, udp, echo.port(), port, Harness.UUID, certs.certificate()))) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < 3; i++) {
        Curl.Result r =
            Curl.run(
                "--socks5-hostname",
                "127.0.0.1:" + socks,
                "--tlsv1.3",
                "--cacert",
                certs.certificate().toString(),
                "https://localhost:" + https + "/" + www.resolve(file.getFileName()));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(sha.digest(r.body())).isEqualTo(sha.digest(blob));
      }
      Harness.assertTcpThroughSocks(socks, origin, dir, 2 * 1024 * 1024);
      Harness.assertUdpEcho(udp);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void visionNeedsTlsAndNoTransport() {
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "vless", "tag": "out", "server": "127.0.0.1",
                  "server_port": 1, "uuid": "%s", "flow": "xtls-rprx-vision"}]}
                """
                    .formatted(Harness.UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].flow")
        .hasMessageContaining("needs tls");
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"inbounds": [{"type": "vless", "tag": "in", "listen": "127.0.0.1",
                  "users": [{"uuid": "%s", "flow": "xtls-rprx-vision"}]}]}
                """
                    .formatted(Harness.UUID)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("inbounds[0].users[0].flow");
  }
}
