package dev.umbra.proxy.v2test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.Peers;
import dev.umbra.testkit.TestCerts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The quic transport honours the outbound's dial fields, against v2ray 4.34's quic servers: Umbra's
 * VMess, VLESS and Trojan outbounds with {@code transport: quic} and {@code detour} to a socks
 * outbound whose UDP ASSOCIATE goes to dante (each a download and an upload by hash), also with the
 * server named by domain (sent by name for dante to resolve); the same through a socks outbound to
 * a dead port fails (so the detour is really taken); and an outbound naming its server by domain
 * with {@code domain_strategy}, {@code inet4_bind_address} and {@code connect_timeout} set. One
 * v2ray, one dante and one Umbra serve the whole class.
 */
@Tag("interop")
class QuicDialFieldsInteropTest {
  static final String[] PROTOCOLS = {"vmess", "vless", "trojan"};
  static final int SIZE = 2 * 1024 * 1024;

  @TempDir static Path dir;
  static HttpOrigin origin;
  static Peers.Peer dante;
  static PeerProcess v2ray;
  static Harness.Running umbra;

  /** protocol -> v2ray quic server port (udp). */
  static final Map<String, Integer> SERVERS = new HashMap<>();

  /** row -> Umbra mixed inbound port. */
  static final Map<String, Integer> SOCKS = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    TestCerts certs = TestCerts.create(dir);
    dante = Peers.dante(dir);
    int v2Ready = FreePort.tcp();
    StringBuilder v2In = new StringBuilder();
    for (String p : PROTOCOLS) {
      int port = QuicInteropTest.udpAndTcpPort();
      SERVERS.put(p, port);
      v2In.append(
          """
          {"tag": "%s-server", "listen": "127.0.0.1", "port": %d, "protocol": "%s",
           "settings": %s, "streamSettings": %s},
          """
              .formatted(
                  p, port, p, H2InteropTest.v2Server(p), QuicInteropTest.v2rayStream(certs, true)));
    }
    String v2 =
        """
        {"log": {"loglevel": "warning"},
         "inbounds": [%s
          {"tag": "ready", "listen": "127.0.0.1", "port": %d, "protocol": "socks",
           "settings": {"auth": "noauth", "udp": false}}],
         "outbounds": [{"tag": "direct", "protocol": "freedom"}]}
        """
            .formatted(v2In, v2Ready);
    v2ray = Harness.v2ray(dir, "quic-dial", v2, v2Ready);

    String carrier = QuicInteropTest.umbraCarrier(certs, false);
    StringBuilder in = new StringBuilder();
    StringBuilder out = new StringBuilder();
    StringBuilder rules = new StringBuilder();
    // row -> {protocol, server, extra dial fields}
    Map<String, String[]> rows = new HashMap<>();
    for (String p : PROTOCOLS) {
      rows.put(p + "-detour", new String[] {p, "127.0.0.1", "\"detour\": \"socks\""});
    }
    // by name through the detour: dante resolves it (kwik is told a placeholder address)
    rows.put("trojan-by-name", new String[] {"trojan", "localhost", "\"detour\": \"socks\""});
    rows.put("vless-dead", new String[] {"vless", "127.0.0.1", "\"detour\": \"dead\""});
    rows.put(
        "vmess-fields",
        new String[] {
          "vmess",
          "localhost",
          "\"domain_strategy\": \"ipv4_only\", \"inet4_bind_address\": \"127.0.0.1\","
              + " \"connect_timeout\": \"10s\""
        });
    for (Map.Entry<String, String[]> r : rows.entrySet()) {
      String row = r.getKey();
      String[] v = r.getValue();
      int socks = FreePort.tcp();
      SOCKS.put(row, socks);
      in.append(
          """
          {"type": "mixed", "tag": "%s-in", "listen": "127.0.0.1", "listen_port": %d},
          """
              .formatted(row, socks));
      out.append(
          """
          {"type": "%s", "tag": "%s-out", "server": "%s", "server_port": %d, %s, %s %s},
          """
              .formatted(
                  v[0],
                  row,
                  v[1],
                  SERVERS.get(v[0]),
                  v[2],
                  H2InteropTest.umbraCredential(v[0]),
                  carrier));
      rules.append(
          """
          {"inbound": ["%s-in"], "outbound": "%s-out"},
          """
              .formatted(row, row));
    }
    String u =
        """
        {"log": {"level": "warn"},
         "inbounds": [%s],
         "outbounds": [%s
           {"type": "socks", "tag": "socks", "server": "127.0.0.1", "server_port": %d},
           {"type": "socks", "tag": "dead", "server": "127.0.0.1", "server_port": %d},
           {"type": "direct", "tag": "direct"}],
         "route": {"rules": [%s], "final": "direct"}}
        """
            .formatted(trimComma(in), out, dante.port(), FreePort.tcp(), trimComma(rules));
    umbra = Harness.umbra(u);
  }

  private static String trimComma(StringBuilder b) {
    String s = b.toString().strip();
    return s.endsWith(",") ? s.substring(0, s.length() - 1) : s;
  }

  @AfterAll
  static void stop() {
    if (umbra != null) {
      umbra.close();
    }
    if (v2ray != null) {
      v2ray.close();
    }
    if (dante != null) {
      dante.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"vmess", "vless", "trojan"})
  void throughADetourToDante(String protocol) throws Exception {
    Harness.assertTcpThroughSocks(SOCKS.get(protocol + "-detour"), origin, dir, SIZE);
  }

  @Test
  void aServerNamedByDomainGoesByNameThroughTheDetour() throws Exception {
    Harness.assertTcpThroughSocks(SOCKS.get("trojan-by-name"), origin, dir, SIZE);
  }

  @Test
  void aDeadDetourFailsInsteadOfGoingDirect() throws Exception {
    Curl.Result r =
        Curl.run(
            "--max-time",
            "20",
            "--socks5-hostname",
            "127.0.0.1:" + SOCKS.get("vless-dead"),
            "http://localhost:" + origin.port() + "/bytes/100");
    assertThat(r.exitCode()).as(r.stderr()).isNotZero();
  }

  @Test
  void serverByDomainWithStrategyBindAddressAndTimeout() throws Exception {
    Harness.assertTcpThroughSocks(SOCKS.get("vmess-fields"), origin, dir, SIZE);
  }
}
