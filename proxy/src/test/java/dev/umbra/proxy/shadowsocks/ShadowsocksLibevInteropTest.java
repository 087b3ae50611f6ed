package dev.umbra.proxy.shadowsocks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.UdpEcho;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Umbra's shadowsocks outbound against a real ss-server, and a real ss-local / ss-tunnel against
 * Umbra's shadowsocks inbound, for every AEAD method shadowsocks-libev has; TCP (10 MiB down, 1 MiB
 * up, checked by hash) and UDP.
 */
@Tag("interop")
class ShadowsocksLibevInteropTest {
  static final int BIG = 10 * 1024 * 1024;
  static HttpOrigin origin;
  static UdpEcho echo;
  @TempDir static Path dir;

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

  private static void assertTcpThroughSocks(int socksPort) throws Exception {
    Curl.Result r =
        Curl.run(
            "--socks5-hostname",
            "127.0.0.1:" + socksPort,
            "http://localhost:" + origin.port() + "/bytes/" + BIG);
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertThat(sha.digest(r.body())).isEqualTo(sha.digest(HttpOrigin.bytes(BIG)));

    byte[] up = HttpOrigin.bytes(1024 * 1024 + 7);
    Path file = Files.write(dir.resolve("up-" + socksPort), up);
    Curl.Result e =
        Curl.run(
            "--socks5", "127.0.0.1:" + socksPort, "--data-binary", "@" + file, origin.url("/echo"));
    assertThat(e.exitCode()).as(e.stderr()).isZero();
    assertThat(sha.digest(e.body())).isEqualTo(sha.digest(up));
  }

  /** Sends datagrams to 127.0.0.1:port until echoed back (UDP may drop), bounded in tries. */
  static void assertUdpEcho(int port) throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      s.setSoTimeout(1000);
      for (int i = 0; i < 3; i++) {
        byte[] msg = ("ping-" + i + "-" + "x".repeat(1000)).getBytes(StandardCharsets.US_ASCII);
        for (int attempt = 0; ; attempt++) {
          s.send(new DatagramPacket(msg, msg.length, InetAddress.getLoopbackAddress(), port));
          byte[] buf = new byte[4096];
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          try {
            s.receive(p);
            assertThat(new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII))
                .isEqualTo(new String(msg, StandardCharsets.US_ASCII));
            break;
          } catch (SocketTimeoutException e) {
            assertThat(attempt).as("no echo through the relay after 5 tries").isLessThan(4);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "aes-128-gcm",
        "aes-192-gcm",
        "aes-256-gcm",
        "chacha20-ietf-poly1305",
        "xchacha20-ietf-poly1305"
      })
  void outboundToSsServer(String method) throws Exception {
    try (Libev.Peer server = Libev.server(method)) {
      int socks = FreePort.tcp();
      int udp = FreePort.tcp();
      try (Umbras u =
          Umbras.start(
              """
              {"log": {"level": "warn"},
               "inbounds": [
                 {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
                 {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
                  "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
               "outbounds": [{"type": "shadowsocks", "tag": "ss", "server": "127.0.0.1",
                 "server_port": %d, "method": "%s", "password": "%s"}]}
              """
                  .formatted(socks, udp, echo.port(), server.port(), method, Libev.PASSWORD))) {
        assertTcpThroughSocks(socks);
        assertUdpEcho(udp);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "aes-128-gcm",
        "aes-192-gcm",
        "aes-256-gcm",
        "chacha20-ietf-poly1305",
        "xchacha20-ietf-poly1305"
      })
  void ssLocalToInbound(String method) throws Exception {
    int port = FreePort.tcp();
    try (Umbras u =
            Umbras.start(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "shadowsocks", "tag": "ss-in", "listen": "127.0.0.1",
                   "listen_port": %d, "method": "%s", "password": "%s"}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(port, method, Libev.PASSWORD));
        Libev.Peer local = Libev.local(method, port);
        Libev.Peer tunnel = Libev.tunnel(method, port, echo.port())) {
      assertTcpThroughSocks(local.port());
      assertUdpEcho(tunnel.port());
    }
  }
}
