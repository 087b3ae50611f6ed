package dev.umbra.proxy.trojan;

import static dev.umbra.proxy.v2test.Harness.BIG;
import static dev.umbra.proxy.v2test.Harness.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Umbra's trojan outbound against trojan-gfw's and v2ray's servers, and their clients against
 * Umbra's trojan inbound: 10 MiB down and 1 MiB up checked by hash, UDP where the peer relays it.
 */
@Tag("interop")
class TrojanInteropTest {
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

  static String umbraServer(int port) {
    return """
    {"log": {"level": "warn"},
     "inbounds": [{"type": "trojan", "tag": "tj-in", "listen": "127.0.0.1", "listen_port": %d,
       "users": [{"name": "peer", "password": "%s"}],
       "tls": {"enabled": true, "certificate_path": "%s", "key_path": "%s"},
       "fallback": {"server": "127.0.0.1", "server_port": %d}}],
     "outbounds": [{"type": "direct", "tag": "direct"}]}
    """
        .formatted(port, PASSWORD, certs.certificate(), certs.key(), origin.port());
  }

  static String umbraClient(int socks, int udp, int serverPort) {
    return """
    {"log": {"level": "warn"},
     "inbounds": [
       {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
       {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
        "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
     "outbounds": [{"type": "trojan", "tag": "tj", "server": "127.0.0.1", "server_port": %d,
       "password": "%s",
       "tls": {"enabled": true, "server_name": "localhost", "certificate_path": "%s"}}]}
    """
        .formatted(socks, udp, echo.port(), serverPort, PASSWORD, certs.certificate());
  }

  static String trojanGfwServer(int port) {
    return """
    {"run_type": "server", "local_addr": "127.0.0.1", "local_port": %d,
     "remote_addr": "127.0.0.1", "remote_port": %d, "password": ["%s"], "log_level": 2,
     "ssl": {"cert": "%s", "key": "%s", "key_password": "", "alpn": ["http/1.1"],
       "reuse_session": true, "session_ticket": false, "plain_http_response": ""},
     "tcp": {"no_delay": true, "keep_alive": true, "fast_open": false}}
    """
        .formatted(port, origin.port(), PASSWORD, certs.certificate(), certs.key());
  }

  static String trojanGfwClient(int socks, int serverPort) {
    return """
    {"run_type": "client", "local_addr": "127.0.0.1", "local_port": %d,
     "remote_addr": "127.0.0.1", "remote_port": %d, "password": ["%s"], "log_level": 2,
     "ssl": {"verify": true, "verify_hostname": true, "cert": "%s", "sni": "localhost",
       "alpn": ["h2", "http/1.1"], "reuse_session": true, "session_ticket": false},
     "tcp": {"no_delay": true, "keep_alive": true, "fast_open": false}}
    """
        .formatted(socks, serverPort, PASSWORD, certs.certificate());
  }

  static String v2rayServer(int port) {
    return """
    {"log": {"loglevel": "warning"},
     "inbounds": [{"listen": "127.0.0.1", "port": %d, "protocol": "trojan",
       "settings": {"clients": [{"password": "%s"}]},
       "streamSettings": {"security": "tls", "tlsSettings": {
         "certificates": [{"certificateFile": "%s", "keyFile": "%s"}]}}}],
     "outbounds": [{"protocol": "freedom"}]}
    """
        .formatted(port, PASSWORD, certs.certificate(), certs.key());
  }

  static String v2rayClient(int socks, int udp, int serverPort) {
    return """
    {"log": {"loglevel": "warning"},
     "inbounds": [
       {"listen": "127.0.0.1", "port": %d, "protocol": "socks",
        "settings": {"auth": "noauth", "udp": false}},
       {"listen": "127.0.0.1", "port": %d, "protocol": "dokodemo-door",
        "settings": {"address": "127.0.0.1", "port": %d, "network": "udp"}}],
     "outbounds": [{"protocol": "trojan",
       "settings": {"servers": [{"address": "127.0.0.1", "port": %d, "password": "%s"}]},
       "streamSettings": {"security": "tls",
         "tlsSettings": {"serverName": "localhost", "allowInsecure": true}}}]}
    """
        .formatted(socks, udp, echo.port(), serverPort, PASSWORD);
  }

  @Test
  void umbraClientToTrojanGfwServer() throws Exception {
    int server = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (PeerProcess p = Harness.trojan(dir, "server", trojanGfwServer(server), server);
        Harness.Running u = Harness.umbra(umbraClient(socks, udp, server))) {
      Harness.assertTcpThroughSocks(socks, origin, dir, BIG);
      Harness.assertUdpEcho(udp);
    }
  }

  @Test
  void trojanGfwClientToUmbraServer() throws Exception {
    int server = FreePort.tcp();
    int socks = FreePort.tcp();
    try (Harness.Running u = Harness.umbra(umbraServer(server));
        PeerProcess p = Harness.trojan(dir, "client", trojanGfwClient(socks, server), socks)) {
      Harness.assertTcpThroughSocks(socks, origin, dir, BIG);
    }
  }

  @Test
  void umbraClientToV2rayServer() throws Exception {
    int server = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (PeerProcess p = Harness.v2ray(dir, "tj-server", v2rayServer(server), server);
        Harness.Running u = Harness.umbra(umbraClient(socks, udp, server))) {
      Harness.assertTcpThroughSocks(socks, origin, dir, BIG);
      Harness.assertUdpEcho(udp);
    }
  }

  @Test
  void v2rayClientToUmbraServer() throws Exception {
    int server = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (Harness.Running u = Harness.umbra(umbraServer(server));
        PeerProcess p = Harness.v2ray(dir, "tj-client", v2rayClient(socks, udp, server), socks)) {
      Harness.assertTcpThroughSocks(socks, origin, dir, BIG);
      Harness.assertUdpEcho(udp);
    }
  }

  @Test
  void httpsProbeGetsTheFallbackSite() throws Exception {
    int server = FreePort.tcp();
    try (Harness.Running u = Harness.umbra(umbraServer(server))) {
      Curl.Result r = Curl.run("-k", "--http1.1", "https://127.0.0.1:" + server + "/small");
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      assertThat(r.text()).isEqualTo("ok\n");
      // the same probe at trojan-gfw gets the same answer (reference behaviour)
      int gfw = FreePort.tcp();
      try (PeerProcess p = Harness.trojan(dir, "probe", trojanGfwServer(gfw), gfw)) {
        Curl.Result ref = Curl.run("-k", "--http1.1", "https://127.0.0.1:" + gfw + "/small");
        assertThat(ref.text()).isEqualTo(r.text());
      }
    }
  }
}
