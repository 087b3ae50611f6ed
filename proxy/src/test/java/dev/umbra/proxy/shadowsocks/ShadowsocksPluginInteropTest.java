package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.ConfigLoader;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.registry.Registry;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIP003 plugins against Debian's simple-obfs and v2ray-plugin: the built-in obfs-local (http, tls)
 * and v2ray-plugin (websocket, with and without TLS) against ss-server running the plugin servers;
 * plugin binaries run as SIP003 child processes; and ss-local with the plugins' client side through
 * the plugin server binaries to our inbound.
 */
@Tag("interop")
class ShadowsocksPluginInteropTest {
  static final String METHOD = "aes-128-gcm";
  static HttpOrigin origin;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
  }

  @AfterAll
  static void stop() {
    origin.close();
  }

  /** ss-server whose public port belongs to {@code plugin} (it spawns it itself). */
  static PeerProcess ssServerWithPlugin(int port, String plugin, String opts) throws Exception {
    return PeerProcess.start(
        "ss-server-" + plugin,
        port,
        Duration.ofSeconds(15),
        PeerProcess.which("ss-server"),
        "-s",
        "127.0.0.1",
        "-p",
        String.valueOf(port),
        "-k",
        Libev.PASSWORD,
        "-m",
        METHOD,
        "--plugin",
        plugin,
        "--plugin-opts",
        opts);
  }

  static void assertThroughOutbound(int serverPort, String plugin, String opts) throws Exception {
    int socks = FreePort.tcp();
    try (Umbras u =
        Umbras.start(
            """
            {"log": {"level": "warn"},
             "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
             "outbounds": [{"type": "shadowsocks", "tag": "ss", "server": "127.0.0.1",
               "server_port": %d, "method": "%s", "password": "%s",
               "plugin": "%s", "plugin_opts": "%s"}]}
            """
                .formatted(socks, serverPort, METHOD, Libev.PASSWORD, plugin, opts))) {
      int n = 4 * 1024 * 1024;
      for (int i = 0; i < 2; i++) {
        Curl.Result r =
            Curl.run(
                "--socks5-hostname",
                "127.0.0.1:" + socks,
                "http://localhost:" + origin.port() + "/bytes/" + n);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(r.body())).isEqualTo(sha.digest(HttpOrigin.bytes(n)));
      }
    }
  }

  /**
   * SIP003 plugins carry TCP only: with a plugin configured, UDP goes straight to the server port,
   * where ss-server ({@code -u}) has its UDP relay while the plugin holds the TCP side. One
   * outbound carries both in the same test.
   */
  static void assertTcpAndUdpWithPlugin(
      String serverPlugin, String serverOpts, String plugin, String opts) throws Exception {
    int port = FreePort.tcp();
    try (UdpEcho echo = new UdpEcho();
        PeerProcess server =
            PeerProcess.start(
                "ss-server-udp-" + serverPlugin,
                port,
                Duration.ofSeconds(15),
                PeerProcess.which("ss-server"),
                "-s",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-k",
                Libev.PASSWORD,
                "-m",
                METHOD,
                "-u",
                "--plugin",
                serverPlugin,
                "--plugin-opts",
                serverOpts)) {
      int socks = FreePort.tcp();
      int udp = FreePort.tcp(); // a free number; the direct inbound binds it for UDP
      try (Umbras u =
          Umbras.start(
              """
              {"log": {"level": "warn"},
               "inbounds": [
                 {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
                 {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
                  "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
               "outbounds": [{"type": "shadowsocks", "tag": "ss", "server": "127.0.0.1",
                 "server_port": %d, "method": "%s", "password": "%s",
                 "plugin": "%s", "plugin_opts": "%s"}]}
              """
                  .formatted(
                      socks, udp, echo.port(), port, METHOD, Libev.PASSWORD, plugin, opts))) {
        int n = 1024 * 1024;
        Curl.Result r =
            Curl.run(
                "--socks5-hostname",
                "127.0.0.1:" + socks,
                "http://localhost:" + origin.port() + "/bytes/" + n);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(r.body())).isEqualTo(sha.digest(HttpOrigin.bytes(n)));
        ShadowsocksLibevInteropTest.assertUdpEcho(udp);
      }
    }
  }

  @Test
  void udpGoesStraightToTheServerPortWhileObfsCarriesTcp() throws Exception {
    assertTcpAndUdpWithPlugin(
        "obfs-server", "obfs=http", "obfs-local", "obfs=http;obfs-host=peer.test");
  }

  @Test
  void udpGoesStraightToTheServerPortWhileV2rayPluginCarriesTcp() throws Exception {
    assertTcpAndUdpWithPlugin(
        "ss-v2ray-plugin", "server;path=/ss", "v2ray-plugin", "path=/ss;host=peer.test");
  }

  @Test
  void builtInObfsHttpAgainstObfsServer() throws Exception {
    int port = FreePort.tcp();
    try (PeerProcess server = ssServerWithPlugin(port, "obfs-server", "obfs=http")) {
      assertThroughOutbound(port, "obfs-local", "obfs=http;obfs-host=peer.test");
    }
  }

  @Test
  void builtInObfsTlsAgainstObfsServer() throws Exception {
    int port = FreePort.tcp();
    try (PeerProcess server = ssServerWithPlugin(port, "obfs-server", "obfs=tls")) {
      assertThroughOutbound(port, "obfs-local", "obfs=tls;obfs-host=peer.test");
    }
  }

  @Test
  void builtInV2rayPluginWebsocket() throws Exception {
    int port = FreePort.tcp();
    try (PeerProcess server = ssServerWithPlugin(port, "ss-v2ray-plugin", "server;path=/ss")) {
      assertThroughOutbound(port, "v2ray-plugin", "path=/ss;host=peer.test");
    }
  }

  @Test
  void builtInV2rayPluginWebsocketTls() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    int port = FreePort.tcp();
    try (PeerProcess server =
        ssServerWithPlugin(
            port,
            "ss-v2ray-plugin",
            "server;tls;host=localhost;path=/ss;cert="
                + certs.certificate()
                + ";key="
                + certs.key())) {
      assertThroughOutbound(
          port, "v2ray-plugin", "tls;host=localhost;path=/ss;cert=" + certs.certificate());
    }
  }

  @Test
  void childObfsLocalTlsAgainstObfsServer() throws Exception {
    int port = FreePort.tcp();
    try (PeerProcess server = ssServerWithPlugin(port, "obfs-server", "obfs=tls")) {
      assertThroughOutbound(port, PeerProcess.which("obfs-local"), "obfs=tls;obfs-host=peer.test");
    }
  }

  @Test
  void childV2rayPluginWebsocketTlsIsStoppedWithTheOutbound() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    int port = FreePort.tcp();
    try (PeerProcess server =
        ssServerWithPlugin(
            port,
            "ss-v2ray-plugin",
            "server;tls;host=localhost;path=/ss;cert="
                + certs.certificate()
                + ";key="
                + certs.key())) {
      assertThroughOutbound(
          port, "ss-v2ray-plugin", "tls;host=localhost;path=/ss;cert=" + certs.certificate());
      // Umbra is closed by now: no plugin child of this JVM may be left running.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (pluginChildren() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(pluginChildren()).isZero();
    }
  }

  private static long pluginChildren() {
    return ProcessHandle.current()
        .children()
        .filter(p -> p.info().command().orElse("").endsWith("ss-v2ray-plugin"))
        .count();
  }

  /** ss-local with a plugin's client side -> that plugin's server binary -> our inbound. */
  static void assertSsLocalToInbound(
      String serverPlugin, String serverOpts, String clientPlugin, String clientOpts)
      throws Exception {
    int inbound = FreePort.tcp();
    int pluginPort = FreePort.tcp();
    int socks = FreePort.tcp();
    try (Umbras u =
            Umbras.start(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "shadowsocks", "tag": "ss-in", "listen": "127.0.0.1",
                   "listen_port": %d, "method": "%s", "password": "%s"}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(inbound, METHOD, Libev.PASSWORD));
        PeerProcess pluginServer =
            PeerProcess.start(
                serverPlugin,
                pluginPort,
                Duration.ofSeconds(15),
                "/usr/bin/env",
                "SS_REMOTE_HOST=127.0.0.1",
                "SS_REMOTE_PORT=" + pluginPort,
                "SS_LOCAL_HOST=127.0.0.1",
                "SS_LOCAL_PORT=" + inbound,
                "SS_PLUGIN_OPTIONS=" + serverOpts,
                PeerProcess.which(serverPlugin));
        PeerProcess local =
            PeerProcess.start(
                "ss-local-" + clientPlugin,
                socks,
                Duration.ofSeconds(15),
                PeerProcess.which("ss-local"),
                "-s",
                "127.0.0.1",
                "-p",
                String.valueOf(pluginPort),
                "-b",
                "127.0.0.1",
                "-l",
                String.valueOf(socks),
                "-k",
                Libev.PASSWORD,
                "-m",
                METHOD,
                "--plugin",
                clientPlugin,
                "--plugin-opts",
                clientOpts)) {
      int n = 1024 * 1024;
      Curl.Result r =
          Curl.run(
              "--socks5-hostname",
              "127.0.0.1:" + socks,
              "http://localhost:" + origin.port() + "/bytes/" + n);
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      assertThat(sha.digest(r.body())).isEqualTo(sha.digest(HttpOrigin.bytes(n)));
    }
  }

  @Test
  void ssLocalThroughObfsToInbound() throws Exception {
    assertSsLocalToInbound(
        "obfs-server", "obfs=http", "obfs-local", "obfs=http;obfs-host=peer.test");
    assertSsLocalToInbound("obfs-server", "obfs=tls", "obfs-local", "obfs=tls;obfs-host=peer.test");
  }

  @Test
  void ssLocalThroughV2rayPluginToInbound() throws Exception {
    assertSsLocalToInbound(
        "ss-v2ray-plugin", "server;path=/ss", "ss-v2ray-plugin", "path=/ss;host=peer.test");
    TestCerts certs = TestCerts.create(dir);
    assertSsLocalToInbound(
        "ss-v2ray-plugin",
        "server;tls;host=localhost;path=/ss;cert=" + certs.certificate() + ";key=" + certs.key(),
        "ss-v2ray-plugin",
        "tls;host=localhost;path=/ss;cert=" + certs.certificate());
  }

  private static void load(String plugin, String opts) {
    ConfigLoader.load(
        Jsonc.parse(
            """
            {"outbounds": [{"type": "shadowsocks", "tag": "ss", "server": "127.0.0.1",
              "server_port": 1, "method": "aes-128-gcm", "password": "x",
              "plugin": "%s", "plugin_opts": "%s"}]}
            """
                .formatted(plugin, opts),
            "test"),
        Registry.loadAll());
  }

  @Test
  void whatIsNotBuiltInIsRejectedAtLoad() {
    assertThatThrownBy(() -> load("obfs-local", "obfs=quic"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].plugin_opts")
        .hasMessageContaining("expected http or tls");
    assertThatThrownBy(() -> load("v2ray-plugin", "mode=quic"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].plugin_opts")
        .hasMessageContaining("not built in");
    assertThatThrownBy(() -> load("v2ray-plugin", "server;path=/ss"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server mode");
    assertThatThrownBy(() -> load("v2ray-plugin", "cert=/nonexistent"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("without tls");
    assertThatThrownBy(() -> load("no-such-plugin-binary", ""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> load("obfs-local", "obfs=http;bogus=1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bogus");
  }

  @Test
  void pluginOptionsParseLikeSip003() {
    assertThat(PluginOptions.parse("server;path=/a\\;b;host=x=y"))
        .isEqualTo(Map.of("server", "", "path", "/a;b", "host", "x=y"));
  }
}
