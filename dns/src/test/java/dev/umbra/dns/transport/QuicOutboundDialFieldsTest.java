package dev.umbra.dns.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.instance.Umbra;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.TestCerts;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dial fields the V2Ray {@code quic} transport used to refuse at load ({@code detour}, {@code
 * inet4_bind_address}, {@code inet6_bind_address}, {@code connect_timeout}, {@code
 * domain_resolver}, {@code domain_strategy}) now load on vmess, vless and trojan outbounds; and
 * {@code domain_resolver} does its job: Umbra's vless outbound finds its quic server by a name only
 * a {@code hosts} DNS server knows, and a download through it arrives whole. (Here because the DNS
 * module and the protocols are both on this module's test class path.)
 */
class QuicOutboundDialFieldsTest {
  @TempDir Path dir;

  @Test
  void everyDialFieldLoadsAndDomainResolverFindsTheServer() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    int quicPort = udpPort();
    int socks = FreePort.tcp();
    String clientTls =
        "\"tls\": {\"enabled\": true, \"server_name\": \"localhost\", \"certificate_path\": \"%s\"},"
                .formatted(certs.certificate())
            + " \"transport\": {\"type\": \"quic\"}";
    String fields =
        """
        "inet4_bind_address": "127.0.0.1", "inet6_bind_address": "::1", "connect_timeout": "10s",
        "domain_resolver": "hosts", "domain_strategy": "ipv4_only"\
        """;
    String config =
        """
        {"log": {"level": "warn"},
         "dns": {"servers": [{"type": "hosts", "tag": "hosts",
                              "predefined": {"quic.server.test": ["127.0.0.1"]}}]},
         "inbounds": [
           {"type": "vless", "tag": "server", "listen": "127.0.0.1", "listen_port": %1$d,
            "users": [{"uuid": "b831381d-6324-4d53-ad4f-8cda48b30811"}],
            "tls": {"enabled": true, "certificate_path": "%2$s", "key_path": "%3$s"},
            "transport": {"type": "quic"}},
           {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %4$d}],
         "outbounds": [
           {"type": "vless", "tag": "vless", "server": "quic.server.test", "server_port": %1$d,
            "uuid": "b831381d-6324-4d53-ad4f-8cda48b30811", %5$s, %6$s},
           {"type": "vmess", "tag": "vmess", "server": "quic.server.test", "server_port": %1$d,
            "uuid": "b831381d-6324-4d53-ad4f-8cda48b30811", %5$s, %6$s},
           {"type": "trojan", "tag": "trojan", "server": "quic.server.test", "server_port": %1$d,
            "password": "p", %5$s, %6$s},
           {"type": "trojan", "tag": "trojan-detour", "server": "127.0.0.1", "server_port": %1$d,
            "password": "p", "detour": "direct", %6$s},
           {"type": "direct", "tag": "direct"}],
         "route": {"rules": [{"inbound": ["in"], "outbound": "vless"}], "final": "direct"}}
        """
            .formatted(quicPort, certs.certificate(), certs.key(), socks, fields, clientTls);
    Registry r = Registry.loadAll();
    Umbra umbra = Umbra.start(ConfigLoader.load(Jsonc.parse(config, "test"), r), r);
    try (HttpOrigin origin = new HttpOrigin()) {
      int size = 300_000;
      Curl.Result got =
          Curl.run(
              "--socks5-hostname",
              "127.0.0.1:" + socks,
              "http://localhost:" + origin.port() + "/bytes/" + size);
      assertThat(got.exitCode()).as(got.stderr()).isZero();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      assertThat(sha.digest(got.body())).isEqualTo(sha.digest(HttpOrigin.bytes(size)));
    } finally {
      umbra.shutdown(Duration.ofSeconds(1));
    }
  }

  /** A port free for UDP (the quic inbound's). */
  private static int udpPort() throws Exception {
    try (java.net.DatagramSocket s =
        new java.net.DatagramSocket(
            new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
      return s.getLocalPort();
    }
  }
}
