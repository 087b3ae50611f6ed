package dev.umbra.proxy.vless;

import static dev.umbra.proxy.v2test.Harness.BIG;
import static dev.umbra.proxy.v2test.Harness.UUID;

import dev.umbra.proxy.v2test.Carriers;
import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Umbra's vless outbound against v2ray 4.34's vless server and v2ray's client against Umbra's vless
 * inbound, over tcp, TLS, ws and ws+TLS: 10 MiB down, 1 MiB up by hash, and UDP.
 */
@Tag("interop")
class VlessInteropTest {
  static HttpOrigin origin;
  static UdpEcho echo;
  static TestCerts certs;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    echo = new UdpEcho();
    certs = TestCerts.create(dir);
  }

  @AfterAll
  static void stop() {
    origin.close();
    echo.close();
  }

  @ParameterizedTest
  @EnumSource(Carriers.class)
  void umbraClientToV2rayServer(Carriers carrier) throws Exception {
    int server = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    String v2 =
        """
        {"log": {"loglevel": "warning"},
         "inbounds": [{"listen": "127.0.0.1", "port": %d, "protocol": "vless",
           "settings": {"clients": [{"id": "%s"}], "decryption": "none"},
           "streamSettings": %s}],
         "outbounds": [{"protocol": "freedom"}]}
        """
            .formatted(server, UUID, carrier.v2ray(certs, true));
    String umbra =
        """
        {"log": {"level": "warn"},
         "inbounds": [
           {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
           {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
            "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
         "outbounds": [{"type": "vless", "tag": "vl", "server": "127.0.0.1", "server_port": %d,
           "uuid": "%s" %s}]}
        """
            .formatted(socks, udp, echo.port(), server, UUID, carrier.umbra(certs, false));
    try (PeerProcess p = Harness.v2ray(dir, "vl-server-" + carrier, v2, server);
        Harness.Running u = Harness.umbra(umbra)) {
      Harness.assertTcpThroughSocks(socks, origin, dir, BIG);
      Harness.assertUdpEcho(udp);
    }
  }

  @ParameterizedTest
  @EnumSource(Carriers.class)
  void v2rayClientToUmbraServer(Carriers carrier) throws Exception {
    int server = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    String umbra =
        """
        {"log": {"level": "warn"},
         "inbounds": [{"type": "vless", "tag": "vl-in", "listen": "127.0.0.1", "listen_port": %d,
           "users": [{"name": "peer", "uuid": "%s"}] %s}],
         "outbounds": [{"type": "direct", "tag": "direct"}]}
        """
            .formatted(server, UUID, carrier.umbra(certs, true));
    String v2 =
        """
        {"log": {"loglevel": "warning"},
         "inbounds": [
           {"listen": "127.0.0.1", "port": %d, "protocol": "socks",
            "settings": {"auth": "noauth", "udp": false}},
           {"listen": "127.0.0.1", "port": %d, "protocol": "dokodemo-door",
            "settings": {"address": "127.0.0.1", "port": %d, "network": "udp"}}],
         "outbounds": [{"protocol": "vless",
           "settings": {"vnext": [{"address": "127.0.0.1", "port": %d,
             "users": [{"id": "%s", "encryption": "none"}]}]},
           "streamSettings": %s}]}
        """
            .formatted(socks, udp, echo.port(), server, UUID, carrier.v2ray(certs, false));
    try (Harness.Running u = Harness.umbra(umbra);
        PeerProcess p = Harness.v2ray(dir, "vl-client-" + carrier, v2, socks)) {
      Harness.assertTcpThroughSocks(socks, origin, dir, BIG);
      Harness.assertUdpEcho(udp);
    }
  }
}
