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
 * SIP003 plugins on the outbound against ss-server running Debian's plugin servers: the built-in
 * obfs-local http mode against obfs-server, and plugin binaries run as child processes (obfs-local
 * tls, v2ray-plugin websocket with and without TLS).
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

  @Test
  void builtInObfsHttpAgainstObfsServer() throws Exception {
    int port = FreePort.tcp();
    try (PeerProcess server = ssServerWithPlugin(port, "obfs-server", "obfs=http")) {
      assertThroughOutbound(port, "obfs-local", "obfs=http;obfs-host=peer.test");
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
  void childV2rayPluginWebsocket() throws Exception {
    int port = FreePort.tcp();
    try (PeerProcess server = ssServerWithPlugin(port, "ss-v2ray-plugin", "server;path=/ss")) {
      assertThroughOutbound(port, "ss-v2ray-plugin", "path=/ss;host=peer.test");
    }
  }

  @Test
  void childV2rayPluginWebsocketTls() throws Exception {
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
    }
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
    assertThatThrownBy(() -> load("obfs-local", "obfs=tls"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].plugin_opts")
        .hasMessageContaining("not built in");
    assertThatThrownBy(() -> load("v2ray-plugin", ""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].plugin")
        .hasMessageContaining("v2ray-plugin");
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
