package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.UdpEcho;
import java.security.MessageDigest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SIP022 through Umbra's own client and server (no Debian peer speaks it): every method over TCP
 * (10 MiB, hashed) and UDP, multi-user identity headers with per-user routing, and a relay.
 */
@Tag("interop")
class Shadowsocks2022EndToEndTest {
  static final String K16 = "QITrD68fpZ3UaRJvvduh3A==";
  static final String K32 = "sjJQNoNTBUXWbuWsUOiTY5IoOVCd3N81VJ2scjHTLIk=";
  static final String ALICE = "zu7hPvi2nq2C99mN2yYucg==";
  static final String BOB = "4i+jGAQn2CXYpAmvc93ZQQ==";
  static final String RELAY = "bJ88/1KPFgB/Cg+x16A5iWgmfHPybVMxkAOWmuVuWcM=";
  static final String RELAY16 = "b0X4B2pRk0eNrSx1cdfd8w==";
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

  private static String client(int socks, int udp, int server, String method, String password) {
    return """
    {"log": {"level": "warn"},
     "inbounds": [
       {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
       {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
        "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
     "outbounds": [{"type": "shadowsocks", "tag": "ss", "server": "127.0.0.1",
       "server_port": %d, "method": "%s", "password": "%s"}]}
    """
        .formatted(socks, udp, echo.port(), server, method, password);
  }

  private static void assertBigDownload(int socks) throws Exception {
    int n = 10 * 1024 * 1024;
    Curl.Result r =
        Curl.run(
            "--socks5-hostname",
            "127.0.0.1:" + socks,
            "http://localhost:" + origin.port() + "/bytes/" + n);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertThat(sha.digest(r.body())).isEqualTo(sha.digest(HttpOrigin.bytes(n)));
  }

  private static boolean fetchesSmall(int socks) throws Exception {
    Curl.Result r = Curl.run("--socks5", "127.0.0.1:" + socks, origin.url("/small"));
    return r.exitCode() == 0 && r.text().equals("ok\n");
  }

  @ParameterizedTest
  @CsvSource({
    "2022-blake3-aes-128-gcm, " + K16,
    "2022-blake3-aes-256-gcm, " + K32,
    "2022-blake3-chacha20-poly1305, " + K32
  })
  void singleUserTcpAndUdp(String method, String key) throws Exception {
    int server = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (Umbras s =
            Umbras.start(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "shadowsocks", "tag": "ss-in", "listen": "127.0.0.1",
                   "listen_port": %d, "method": "%s", "password": "%s"}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(server, method, key));
        Umbras c = Umbras.start(client(socks, udp, server, method, key))) {
      assertBigDownload(socks);
      assertThat(fetchesSmall(socks)).isTrue();
      ShadowsocksLibevInteropTest.assertUdpEcho(udp);
    }
  }

  @Test
  void multiUserIdentityHeadersNameTheUser() throws Exception {
    int server = FreePort.tcp();
    try (Umbras s =
        Umbras.start(
            """
            {"log": {"level": "warn"},
             "inbounds": [{"type": "shadowsocks", "tag": "ss-in", "listen": "127.0.0.1",
               "listen_port": %d, "method": "2022-blake3-aes-128-gcm", "password": "%s",
               "users": [{"name": "alice", "password": "%s"}, {"name": "bob", "password": "%s"}]}],
             "outbounds": [{"type": "block", "tag": "block"}, {"type": "direct", "tag": "direct"}],
             "route": {"rules": [{"auth_user": ["alice"], "outbound": "direct"}]}}
            """
                .formatted(server, K16, ALICE, BOB))) {
      int aliceSocks = FreePort.tcp();
      int aliceUdp = FreePort.tcp();
      try (Umbras a =
          Umbras.start(
              client(aliceSocks, aliceUdp, server, "2022-blake3-aes-128-gcm", K16 + ":" + ALICE))) {
        assertBigDownload(aliceSocks);
        ShadowsocksLibevInteropTest.assertUdpEcho(aliceUdp);
      }
      int bobSocks = FreePort.tcp();
      try (Umbras b =
          Umbras.start(
              client(
                  bobSocks, FreePort.tcp(), server, "2022-blake3-aes-128-gcm", K16 + ":" + BOB))) {
        assertThat(fetchesSmall(bobSocks)).as("only alice is routed to direct").isFalse();
      }
      int strangerSocks = FreePort.tcp();
      try (Umbras x =
          Umbras.start(
              client(
                  strangerSocks,
                  FreePort.tcp(),
                  server,
                  "2022-blake3-aes-128-gcm",
                  K16 + ":" + RELAY16))) {
        assertThat(fetchesSmall(strangerSocks)).as("unknown user").isFalse();
      }
    }
  }

  @Test
  void relayForwardsToTheDestinationNamedByTheIdentityHeader() throws Exception {
    int server = FreePort.tcp();
    int relay = FreePort.tcp();
    try (Umbras s =
            Umbras.start(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "shadowsocks", "tag": "ss-in", "listen": "127.0.0.1",
                   "listen_port": %d, "method": "2022-blake3-aes-128-gcm", "password": "%s",
                   "users": [{"name": "alice", "password": "%s"}]}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(server, K16, ALICE));
        Umbras r =
            Umbras.start(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "shadowsocks", "tag": "relay", "listen": "127.0.0.1",
                   "listen_port": %d, "network": "tcp", "method": "2022-blake3-aes-128-gcm",
                   "password": "%s",
                   "destinations": [{"name": "s1", "server": "127.0.0.1", "server_port": %d,
                     "password": "%s"}]}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(relay, RELAY16, server, K16))) {
      int socks = FreePort.tcp();
      try (Umbras c =
          Umbras.start(
              client(
                  socks,
                  FreePort.tcp(),
                  relay,
                  "2022-blake3-aes-128-gcm",
                  RELAY16 + ":" + K16 + ":" + ALICE))) {
        assertBigDownload(socks);
      }
    }
  }
}
