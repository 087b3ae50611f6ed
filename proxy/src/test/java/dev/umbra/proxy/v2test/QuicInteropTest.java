package dev.umbra.proxy.v2test;

import static dev.umbra.proxy.v2test.Harness.BIG;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * VMess (aes-128-gcm), VLESS and Trojan over the {@code quic} transport against v2ray 4.34's quic
 * network (quic-go, QUIC v1; {@code quicSettings} security none, header none, TLS from {@code
 * tlsSettings} with ALPN h3, sing-box's default), both ways: Umbra's outbounds to v2ray's inbounds
 * and v2ray's outbounds to Umbra's inbounds; each a 10 MiB download and a 1 MiB upload by hash,
 * plus UDP. One v2ray and one Umbra serve the whole class, so each side's streams share QUIC
 * connections.
 */
@Tag("interop")
class QuicInteropTest {
  static final String[] PROTOCOLS = {"vmess", "vless", "trojan"};

  @TempDir static Path dir;
  static HttpOrigin origin;
  static UdpEcho echo;
  static PeerProcess v2ray;
  static Harness.Running umbra;

  /**
   * protocol -> {v2ray server (udp), umbra server (udp), umbra socks, umbra udp, v2ray socks, v2ray
   * udp}.
   */
  static final Map<String, int[]> PORTS = new HashMap<>();

  /** A port free for TCP (FreePort's rules) that is also free for UDP. */
  static int udpAndTcpPort() {
    for (int i = 0; i < 50; i++) {
      int p = FreePort.tcp();
      try (DatagramSocket s = new DatagramSocket(null)) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
        return p;
      } catch (SocketException e) {
        // taken for UDP: try another
      }
    }
    throw new IllegalStateException("no free UDP port");
  }

  static String v2rayStream(TestCerts certs, boolean server) {
    String tls =
        server
            ? "{\"certificates\": [{\"certificateFile\": \"%s\", \"keyFile\": \"%s\"}], \"alpn\": [\"h3\"]}"
                .formatted(certs.certificate(), certs.key())
            : "{\"serverName\": \"localhost\", \"allowInsecure\": true, \"alpn\": [\"h3\"]}";
    return """
    {"network": "quic", "quicSettings": {"security": "none", "header": {"type": "none"}},
     "security": "tls", "tlsSettings": %s}
    """
        .formatted(tls);
  }

  static String umbraCarrier(TestCerts certs, boolean server) {
    String tls =
        server
            ? "{\"enabled\": true, \"certificate_path\": \"%s\", \"key_path\": \"%s\"}"
                .formatted(certs.certificate(), certs.key())
            : "{\"enabled\": true, \"server_name\": \"localhost\", \"certificate_path\": \"%s\"}"
                .formatted(certs.certificate());
    return ", \"tls\": " + tls + ", \"transport\": {\"type\": \"quic\"}";
  }

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    echo = new UdpEcho();
    TestCerts certs = TestCerts.create(dir);
    for (String p : PROTOCOLS) {
      int[] ports = new int[6];
      for (int i = 0; i < ports.length; i++) {
        ports[i] = udpAndTcpPort();
      }
      PORTS.put(p, ports);
    }
    StringBuilder v2In = new StringBuilder();
    StringBuilder v2Out = new StringBuilder();
    StringBuilder v2Rules = new StringBuilder();
    StringBuilder uIn = new StringBuilder();
    StringBuilder uOut = new StringBuilder();
    StringBuilder uRules = new StringBuilder();
    for (String p : PROTOCOLS) {
      int[] n = PORTS.get(p);
      v2In.append(
          """
          {"tag": "%s-server", "listen": "127.0.0.1", "port": %d, "protocol": "%s",
           "settings": %s, "streamSettings": %s},
          {"tag": "%s-socks", "listen": "127.0.0.1", "port": %d, "protocol": "socks",
           "settings": {"auth": "noauth", "udp": false}},
          {"tag": "%s-udp", "listen": "127.0.0.1", "port": %d, "protocol": "dokodemo-door",
           "settings": {"address": "127.0.0.1", "port": %d, "network": "udp"}},
          """
              .formatted(
                  p,
                  n[0],
                  p,
                  H2InteropTest.v2Server(p),
                  v2rayStream(certs, true),
                  p,
                  n[4],
                  p,
                  n[5],
                  echo.port()));
      v2Out.append(
          """
          , {"tag": "%s-out", "protocol": "%s", "settings": %s, "streamSettings": %s}
          """
              .formatted(p, p, H2InteropTest.v2Client(p, n[1]), v2rayStream(certs, false)));
      v2Rules.append(
          """
          %s{"type": "field", "inboundTag": ["%s-socks", "%s-udp"], "outboundTag": "%s-out"}
          """
              .formatted(v2Rules.isEmpty() ? "" : ",", p, p, p));
      uIn.append(
          """
          {"type": "%s", "tag": "%s-server", "listen": "127.0.0.1", "listen_port": %d, %s %s},
          {"type": "mixed", "tag": "%s-socks", "listen": "127.0.0.1", "listen_port": %d},
          {"type": "direct", "tag": "%s-udp", "listen": "127.0.0.1", "listen_port": %d,
           "network": "udp", "override_address": "127.0.0.1", "override_port": %d},
          """
              .formatted(
                  p,
                  p,
                  n[1],
                  H2InteropTest.umbraUser(p),
                  umbraCarrier(certs, true),
                  p,
                  n[2],
                  p,
                  n[3],
                  echo.port()));
      uOut.append(
          """
          , {"type": "%s", "tag": "%s-out", "server": "127.0.0.1", "server_port": %d, %s %s}
          """
              .formatted(p, p, n[0], H2InteropTest.umbraCredential(p), umbraCarrier(certs, false)));
      uRules.append(
          """
          %s{"inbound": ["%s-socks", "%s-udp"], "outbound": "%s-out"}
          """
              .formatted(uRules.isEmpty() ? "" : ",", p, p, p));
    }
    String v2 =
        """
        {"log": {"loglevel": "warning"},
         "inbounds": [%s],
         "outbounds": [{"tag": "direct", "protocol": "freedom"} %s],
         "routing": {"rules": [%s]}}
        """
            .formatted(trimComma(v2In), v2Out, v2Rules);
    String u =
        """
        {"log": {"level": "warn"},
         "inbounds": [%s],
         "outbounds": [{"type": "direct", "tag": "direct"} %s],
         "route": {"rules": [%s], "final": "direct"}}
        """
            .formatted(trimComma(uIn), uOut, uRules);
    umbra = Harness.umbra(u);
    v2ray = Harness.v2ray(dir, "quic", v2, PORTS.get("trojan")[4]);
  }

  private static String trimComma(StringBuilder b) {
    String s = b.toString().strip();
    return s.endsWith(",") ? s.substring(0, s.length() - 1) : s;
  }

  @AfterAll
  static void stop() {
    if (v2ray != null) {
      v2ray.close();
    }
    if (umbra != null) {
      umbra.close();
    }
    origin.close();
    echo.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"vmess", "vless", "trojan"})
  void umbraClientToV2rayServer(String protocol) throws Exception {
    int[] n = PORTS.get(protocol);
    Harness.assertTcpThroughSocks(n[2], origin, dir, BIG);
    H2InteropTest.assertUdpEcho(n[3]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vmess", "vless", "trojan"})
  void v2rayClientToUmbraServer(String protocol) throws Exception {
    int[] n = PORTS.get(protocol);
    Harness.assertTcpThroughSocks(n[4], origin, dir, BIG);
    H2InteropTest.assertUdpEcho(n[5]);
  }
}
