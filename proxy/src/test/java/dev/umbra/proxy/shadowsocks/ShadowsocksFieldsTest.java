package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.UdpEcho;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.MessageDigest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The remaining sing-box fields, Umbra client against Umbra server: udp_over_tcp v1 and v2,
 * per-user traffic counters (users told apart by trial decryption), method none, managed, network,
 * and the UoT wire form.
 */
@Tag("interop")
class ShadowsocksFieldsTest {
  static final String PASSWORD = "fields-test-password";
  static HttpOrigin origin;
  static UdpEcho echo;

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    echo = new UdpEcho();
  }

  @AfterAll
  static void stop() {
    origin.close();
    echo.close();
  }

  static String server(int port, String extra) {
    return """
    {"log": {"level": "warn"},
     "inbounds": [{"type": "shadowsocks", "tag": "ss-in", "listen": "127.0.0.1",
       "listen_port": %d, "method": "aes-128-gcm" %s}],
     "outbounds": [{"type": "direct", "tag": "direct"}]}
    """
        .formatted(port, extra);
  }

  static String client(int socks, int udp, int server, String password, String extra) {
    return """
    {"log": {"level": "warn"},
     "inbounds": [
       {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
       {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
        "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
     "outbounds": [{"type": "shadowsocks", "tag": "ss", "server": "127.0.0.1",
       "server_port": %d, "method": "aes-128-gcm", "password": "%s" %s}]}
    """
        .formatted(socks, udp, echo.port(), server, password, extra);
  }

  /** The server has no UDP listener (network tcp), so an echo can only have come over TCP. */
  @ParameterizedTest
  @ValueSource(strings = {"true", "{\"enabled\": true, \"version\": 1}", "{\"enabled\": true}"})
  void udpOverTcp(String setting) throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (Umbras s =
            Umbras.start(
                server(port, ", \"network\": \"tcp\", \"password\": \"" + PASSWORD + "\""));
        Umbras c =
            Umbras.start(client(socks, udp, port, PASSWORD, ", \"udp_over_tcp\": " + setting))) {
      ShadowsocksLibevInteropTest.assertUdpEcho(udp);
    }
  }

  @Test
  void uotWireForm() throws Exception {
    assertThat(UdpOverTcp.magic(1)).isEqualTo(new Destination.Domain("sp.udp-over-tcp.arpa", 0));
    assertThat(UdpOverTcp.magic(2)).isEqualTo(new Destination.Domain("sp.v2.udp-over-tcp.arpa", 0));
    assertThat(UdpOverTcp.encodeAddress(Destination.of("1.2.3.4", 53)))
        .containsExactly(0x00, 1, 2, 3, 4, 0, 53);
    assertThat(UdpOverTcp.encodeAddress(Destination.of("a.b", 258)))
        .containsExactly(0x02, 3, 'a', '.', 'b', 1, 2);
    assertThat(new UdpOverTcp.Request(true, Destination.of("1.2.3.4", 53)).encode())
        .containsExactly(1, 0x01, 1, 2, 3, 4, 0, 53);
    byte[] six = UdpOverTcp.encodeAddress(Destination.of("::1", 7));
    assertThat(six[0]).isEqualTo((byte) 0x01);
    assertThat(UdpOverTcp.readAddress(new DataInputStream(new ByteArrayInputStream(six))))
        .isEqualTo(Destination.of("::1", 7));
  }

  @Test
  void perUserTrafficCounters() throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    try (Umbras s =
            Umbras.start(
                server(
                    port,
                    ", \"users\": [{\"name\": \"alice\", \"password\": \"a-pass\"},"
                        + " {\"name\": \"bob\", \"password\": \"b-pass\"}]"));
        Umbras c = Umbras.start(client(socks, FreePort.tcp(), port, "b-pass", ""))) {
      int n = 1024 * 1024;
      Curl.Result r =
          Curl.run(
              "--socks5-hostname",
              "127.0.0.1:" + socks,
              "http://localhost:" + origin.port() + "/bytes/" + n);
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      assertThat(sha.digest(r.body())).isEqualTo(sha.digest(HttpOrigin.bytes(n)));
      // The relay adds its last counts as it finishes: wait (bounded) for them.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline
          && (s.umbra.stats().users().get("bob") == null
              || s.umbra.stats().users().get("bob").down() < n)) {
        Thread.sleep(50);
      }
      var bob = s.umbra.stats().users().get("bob");
      assertThat(bob).isNotNull();
      assertThat(bob.down()).isGreaterThanOrEqualTo(n);
      assertThat(bob.up()).isPositive();
      assertThat(s.umbra.stats().users()).doesNotContainKey("alice");
    }
  }

  @Test
  void methodNoneCarriesTcpAndUdp() throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (Umbras s = Umbras.start(server(port, "").replace("aes-128-gcm", "none"));
        Umbras c = Umbras.start(client(socks, udp, port, "", "").replace("aes-128-gcm", "none"))) {
      Curl.Result r = Curl.run("--socks5", "127.0.0.1:" + socks, origin.url("/small"));
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.text()).isEqualTo("ok\n");
      ShadowsocksLibevInteropTest.assertUdpEcho(udp);
    }
  }

  @Test
  void managedIsAccepted() throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    try (Umbras s =
            Umbras.start(server(port, ", \"managed\": true, \"password\": \"" + PASSWORD + "\""));
        Umbras c = Umbras.start(client(socks, FreePort.tcp(), port, PASSWORD, ""))) {
      Curl.Result r = Curl.run("--socks5", "127.0.0.1:" + socks, origin.url("/small"));
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.text()).isEqualTo("ok\n");
    }
  }

  @Test
  void inboundNetworkUdpHasNoTcpListener() throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (Umbras s =
            Umbras.start(
                server(port, ", \"network\": \"udp\", \"password\": \"" + PASSWORD + "\""));
        Umbras c = Umbras.start(client(socks, udp, port, PASSWORD, ""))) {
      ShadowsocksLibevInteropTest.assertUdpEcho(udp);
      assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
          .isInstanceOf(java.net.ConnectException.class);
    }
  }

  @Test
  void outboundNetworkLimitsWhatItCarries() throws Exception {
    ShadowsocksOutbound tcpOnly = outbound(", \"network\": \"tcp\"");
    assertThat(tcpOnly.networks()).containsExactly(Network.TCP);
    assertThatThrownBy(() ->
            tcpOnly.listenPacket(Metadata.internal(Network.UDP, Destination.of("1.2.3.4", 53))))
        .hasMessageContaining("tcp only");
    ShadowsocksOutbound udpOnly = outbound(", \"network\": \"udp\"");
    assertThat(udpOnly.networks()).containsExactly(Network.UDP);
    assertThatThrownBy(
            () -> udpOnly.dial(Metadata.internal(Network.TCP, Destination.of("1.2.3.4", 80))))
        .hasMessageContaining("udp only");
  }

  private static ShadowsocksOutbound outbound(String extra) throws Exception {
    int port = FreePort.tcp();
    try (Umbras c = Umbras.start(client(FreePort.tcp(), FreePort.tcp(), port, PASSWORD, extra))) {
      return (ShadowsocksOutbound) c.umbra.outbound("ss").orElseThrow();
    }
  }

  @Test
  void badUdpOverTcpSettingsAreRejected() {
    for (String bad :
        new String[] {
          "\"yes\"", "{\"enabled\": true, \"version\": 3}", "{\"enabled\": true, \"x\": 1}"
        }) {
      assertThatThrownBy(() ->
              ConfigLoader.load(
                  Jsonc.parse(
                      """
                      {"outbounds": [{"type": "shadowsocks", "tag": "ss", "server": "127.0.0.1",
                        "server_port": 1, "method": "aes-128-gcm", "password": "x",
                        "udp_over_tcp": %s}]}
                      """
                          .formatted(bad),
                      "test"),
                  Registry.loadAll()))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("outbounds[0].udp_over_tcp");
    }
  }
}
