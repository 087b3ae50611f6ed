package dev.umbra.proxy.v2test;

import static dev.umbra.proxy.v2test.Harness.BIG;
import static dev.umbra.proxy.v2test.Harness.PASSWORD;
import static dev.umbra.proxy.v2test.Harness.UUID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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
 * VMess (aes-128-gcm), VLESS and Trojan over the {@code http} transport (HTTP/2 over TLS) against
 * v2ray 4.34's h2 transport, both ways: Umbra's outbounds to v2ray's inbounds and v2ray's outbounds
 * to Umbra's inbounds; each a 10 MiB download and a 1 MiB upload by hash, plus UDP. One v2ray and
 * one Umbra serve the whole class (routed by inbound), so every protocol's streams share their
 * HTTP/2 connections.
 */
@Tag("interop")
class H2InteropTest {
  static final String[] PROTOCOLS = {"vmess", "vless", "trojan"};

  @TempDir static Path dir;
  static HttpOrigin origin;
  static UdpEcho echo;
  static PeerProcess v2ray;
  static Harness.Running umbra;

  /** protocol -> {v2ray server, umbra server, umbra socks, umbra udp, v2ray socks, v2ray udp}. */
  static final Map<String, int[]> PORTS = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    echo = new UdpEcho();
    TestCerts certs = TestCerts.create(dir);
    for (String p : PROTOCOLS) {
      int[] ports = new int[6];
      for (int i = 0; i < ports.length; i++) {
        ports[i] = FreePort.tcp();
      }
      PORTS.put(p, ports);
    }
    String serverStream = Carriers.H2_TLS.v2ray(certs, true);
    String clientStream = Carriers.H2_TLS.v2ray(certs, false);
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
              .formatted(p, n[0], p, v2Server(p), serverStream, p, n[4], p, n[5], echo.port()));
      v2Out.append(
          """
          , {"tag": "%s-out", "protocol": "%s", "settings": %s, "streamSettings": %s}
          """
              .formatted(p, p, v2Client(p, n[1]), clientStream));
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
                  umbraUser(p),
                  Carriers.H2_TLS.umbra(certs, true),
                  p,
                  n[2],
                  p,
                  n[3],
                  echo.port()));
      uOut.append(
          """
          , {"type": "%s", "tag": "%s-out", "server": "127.0.0.1", "server_port": %d, %s %s}
          """
              .formatted(p, p, n[0], umbraCredential(p), Carriers.H2_TLS.umbra(certs, false)));
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
    v2ray = Harness.v2ray(dir, "h2", v2, PORTS.get("trojan")[4]);
  }

  private static String trimComma(StringBuilder b) {
    String s = b.toString().strip();
    return s.endsWith(",") ? s.substring(0, s.length() - 1) : s;
  }

  static String umbraUser(String p) {
    return p.equals("trojan")
        ? "\"users\": [{\"name\": \"peer\", \"password\": \"" + PASSWORD + "\"}]"
        : "\"users\": [{\"name\": \"peer\", \"uuid\": \"" + UUID + "\"}]";
  }

  static String umbraCredential(String p) {
    return switch (p) {
      case "vmess" -> "\"uuid\": \"" + UUID + "\", \"security\": \"aes-128-gcm\"";
      case "vless" -> "\"uuid\": \"" + UUID + "\"";
      default -> "\"password\": \"" + PASSWORD + "\"";
    };
  }

  static String v2Server(String p) {
    return switch (p) {
      case "vmess" -> "{\"clients\": [{\"id\": \"" + UUID + "\", \"alterId\": 0}]}";
      case "vless" -> "{\"clients\": [{\"id\": \"" + UUID + "\"}], \"decryption\": \"none\"}";
      default -> "{\"clients\": [{\"password\": \"" + PASSWORD + "\"}]}";
    };
  }

  static String v2Client(String p, int port) {
    return switch (p) {
      case "vmess" ->
          ("{\"vnext\": [{\"address\": \"127.0.0.1\", \"port\": %d, \"users\": [{\"id\": \"%s\","
                  + " \"alterId\": 0, \"security\": \"aes-128-gcm\"}]}]}")
              .formatted(port, UUID);
      case "vless" ->
          ("{\"vnext\": [{\"address\": \"127.0.0.1\", \"port\": %d, \"users\": [{\"id\": \"%s\","
                  + " \"encryption\": \"none\"}]}]}")
              .formatted(port, UUID);
      default ->
          "{\"servers\": [{\"address\": \"127.0.0.1\", \"port\": %d, \"password\": \"%s\"}]}"
              .formatted(port, PASSWORD);
    };
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
    assertUdpEcho(n[3]);
  }

  @ParameterizedTest
  @ValueSource(strings = {"vmess", "vless", "trojan"})
  void v2rayClientToUmbraServer(String protocol) throws Exception {
    int[] n = PORTS.get(protocol);
    Harness.assertTcpThroughSocks(n[4], origin, dir, BIG);
    assertUdpEcho(n[5]);
  }

  /**
   * Like {@link Harness#assertUdpEcho} but tolerant of a late echo of a datagram it already resent
   * (the first datagram opens an HTTP/2 stream, which can take over a second on a loaded machine):
   * stale echoes are skipped, every datagram must come back intact.
   */
  static void assertUdpEcho(int port) throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(1000);
      for (int i = 0; i < 3; i++) {
        String msg = "ping-" + i + "-" + "x".repeat(1000);
        byte[] out = msg.getBytes(StandardCharsets.US_ASCII);
        boolean echoed = false;
        for (int attempt = 0; attempt < 8 && !echoed; attempt++) {
          s.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), port));
          byte[] buf = new byte[4096];
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          try {
            while (!echoed) {
              s.receive(p);
              String got = new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII);
              assertThat(got).startsWith("ping-").hasSize(msg.length());
              echoed = got.equals(msg);
            }
          } catch (SocketTimeoutException e) {
            // resend
          }
        }
        assertThat(echoed).as("no echo of datagram " + i + " after 8 tries").isTrue();
      }
    }
  }
}
