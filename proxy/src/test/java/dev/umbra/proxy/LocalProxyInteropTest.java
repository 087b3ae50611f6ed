package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import java.security.MessageDigest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real curl through Umbra's mixed, socks and http inbounds to a local origin. */
@Tag("interop")
class LocalProxyInteropTest {
  static HttpOrigin origin;
  static RunningUmbra umbra;
  static int mixed;
  static int mixedAuth;
  static int socks;
  static int http;

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    mixed = FreePort.tcp();
    mixedAuth = FreePort.tcp();
    socks = FreePort.tcp();
    http = FreePort.tcp();
    umbra =
        RunningUmbra.start(
            """
            {
              "log": {"level": "warn"},
              "inbounds": [
                {"type": "mixed", "tag": "m", "listen": "127.0.0.1", "listen_port": %d},
                {"type": "mixed", "tag": "ma", "listen": "127.0.0.1", "listen_port": %d,
                 "users": [{"username": "alice", "password": "s3cret"}]},
                {"type": "socks", "tag": "s", "listen": "127.0.0.1", "listen_port": %d},
                {"type": "http", "tag": "h", "listen": "127.0.0.1", "listen_port": %d}
              ],
              "outbounds": [{"type": "direct", "tag": "direct"}]
            }
            """
                .formatted(mixed, mixedAuth, socks, http));
  }

  @AfterAll
  static void stop() {
    umbra.close();
    origin.close();
  }

  private static void assertOk(Curl.Result r) {
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.text()).isEqualTo("ok\n");
  }

  @Test
  void socks5ThroughMixed() throws Exception {
    assertOk(Curl.run("--socks5", "127.0.0.1:" + mixed, origin.url("/small")));
  }

  @Test
  void socks5WithRemoteDnsThroughMixed() throws Exception {
    assertOk(
        Curl.run(
            "--socks5-hostname",
            "127.0.0.1:" + mixed,
            "http://localhost:" + origin.port() + "/small"));
  }

  @Test
  void socks4AndSocks4a() throws Exception {
    assertOk(Curl.run("--socks4", "127.0.0.1:" + socks, origin.url("/small")));
    assertOk(
        Curl.run(
            "--socks4a", "127.0.0.1:" + socks, "http://localhost:" + origin.port() + "/small"));
  }

  @Test
  void plainHttpForwardingWithKeepAlive() throws Exception {
    Curl.Result r =
        Curl.run("-x", "http://127.0.0.1:" + http, origin.url("/small"), origin.url("/small"));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.text()).isEqualTo("ok\nok\n");
    assertOk(Curl.run("-x", "http://127.0.0.1:" + mixed, origin.url("/small")));
  }

  @Test
  void httpConnectTunnel() throws Exception {
    assertOk(Curl.run("-p", "-x", "http://127.0.0.1:" + http, origin.url("/small")));
    assertOk(Curl.run("-p", "-x", "http://127.0.0.1:" + mixed, origin.url("/small")));
  }

  @Test
  void postBodyThroughPlainForwarding() throws Exception {
    Curl.Result r =
        Curl.run(
            "-x", "http://127.0.0.1:" + http, "--data-binary", "hello-body", origin.url("/echo"));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.text()).isEqualTo("hello-body");
  }

  @Test
  void usernameAndPasswordAreEnforced() throws Exception {
    assertOk(
        Curl.run("--socks5", "127.0.0.1:" + mixedAuth, "-U", "alice:s3cret", origin.url("/small")));
    assertOk(Curl.run("-x", "http://alice:s3cret@127.0.0.1:" + mixedAuth, origin.url("/small")));
    assertThat(
            Curl.run(
                    "--socks5", "127.0.0.1:" + mixedAuth, "-U", "alice:wrong", origin.url("/small"))
                .exitCode())
        .isNotZero();
    Curl.Result denied =
        Curl.run(
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-x",
            "http://127.0.0.1:" + mixedAuth,
            origin.url("/small"));
    assertThat(denied.text()).isEqualTo("407");
  }

  @Test
  void tenMebibytesArriveIntact() throws Exception {
    int n = 10 * 1024 * 1024;
    Curl.Result r = Curl.run("--socks5-hostname", "127.0.0.1:" + mixed, origin.url("/bytes/" + n));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertThat(sha.digest(r.body())).isEqualTo(sha.digest(HttpOrigin.bytes(n)));
  }
}
