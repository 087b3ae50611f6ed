package dev.umbra.proxy.mux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.UdpEcho;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Umbra to Umbra through the CLI configs: mixed inbound -> protocol outbound with {@code multiplex}
 * -> protocol inbound with {@code multiplex} -> direct. TCP checked by hash, UDP echo, and 48
 * parallel streams sharing the sessions.
 */
class MuxEndToEndTest {
  @TempDir Path dir;

  private static String server(String protocol, int port, boolean padding) {
    String mux = "\"multiplex\": {\"enabled\": true, \"padding\": %s}".formatted(padding);
    return switch (protocol) {
      case "vmess" ->
          """
          {"type": "vmess", "tag": "in", "listen": "127.0.0.1", "listen_port": %d,
           "users": [{"name": "u", "uuid": "%s"}], %s}\
          """
              .formatted(port, Harness.UUID, mux);
      case "vless" ->
          """
          {"type": "vless", "tag": "in", "listen": "127.0.0.1", "listen_port": %d,
           "users": [{"name": "u", "uuid": "%s"}], %s}\
          """
              .formatted(port, Harness.UUID, mux);
      case "trojan" ->
          """
          {"type": "trojan", "tag": "in", "listen": "127.0.0.1", "listen_port": %d,
           "users": [{"name": "u", "password": "%s"}], %s}\
          """
              .formatted(port, Harness.PASSWORD, mux);
      default ->
          """
          {"type": "shadowsocks", "tag": "in", "listen": "127.0.0.1", "listen_port": %d,
           "method": "aes-128-gcm", "password": "%s", %s}\
          """
              .formatted(port, Harness.PASSWORD, mux);
    };
  }

  private static String client(String protocol, int port, String mux) {
    return switch (protocol) {
      case "vmess" ->
          """
          {"type": "vmess", "tag": "out", "server": "127.0.0.1", "server_port": %d,
           "uuid": "%s", "security": "aes-128-gcm", %s}\
          """
              .formatted(port, Harness.UUID, mux);
      case "vless" ->
          """
          {"type": "vless", "tag": "out", "server": "127.0.0.1", "server_port": %d,
           "uuid": "%s", %s}\
          """
              .formatted(port, Harness.UUID, mux);
      case "trojan" ->
          """
          {"type": "trojan", "tag": "out", "server": "127.0.0.1", "server_port": %d,
           "password": "%s", %s}\
          """
              .formatted(port, Harness.PASSWORD, mux);
      default ->
          """
          {"type": "shadowsocks", "tag": "out", "server": "127.0.0.1", "server_port": %d,
           "method": "aes-128-gcm", "password": "%s", %s}\
          """
              .formatted(port, Harness.PASSWORD, mux);
    };
  }

  @ParameterizedTest
  @CsvSource({
    "vmess, smux, false",
    "vmess, yamux, true",
    "vless, yamux, false",
    "vless, smux, true",
    "trojan, smux, false",
    "trojan, yamux, true",
    "shadowsocks, yamux, false",
    "shadowsocks, smux, true",
    "vmess, h2mux, false",
    "trojan, h2mux, true",
    "shadowsocks, h2mux, false",
    "vless, '', true" // protocol unset: h2mux, sing-box's default
  })
  void tcpUdpAndParallelStreams(String protocol, String mux, boolean padding) throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    String muxJson =
        """
        "multiplex": {"enabled": true, "protocol": "%s", "padding": %s,
          "max_connections": 2, "min_streams": 4}\
        """
            .formatted(mux, padding);
    try (HttpOrigin origin = new HttpOrigin();
        UdpEcho echo = new UdpEcho();
        Harness.Running server =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [%s],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(server(protocol, port, padding)));
        Harness.Running client =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [
                   {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
                   {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1", "listen_port": %d,
                    "network": "udp", "override_address": "127.0.0.1", "override_port": %d}],
                 "outbounds": [%s]}
                """
                    .formatted(socks, udp, echo.port(), client(protocol, port, muxJson)))) {
      Harness.assertTcpThroughSocks(socks, origin, dir, 2 * 1024 * 1024);
      Harness.assertUdpEcho(udp);
      parallel(socks, origin, 48);
    }
  }

  /** {@code n} concurrent HTTP downloads of different sizes through SOCKS5, each by hash. */
  static void parallel(int socks, HttpOrigin origin, int n) throws Exception {
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int size = 1000 + i * 7919;
        all.add(pool.submit(() -> fetch(socks, origin.port(), size)));
      }
      for (Future<?> f : all) {
        f.get(60, TimeUnit.SECONDS);
      }
    }
  }

  private static Void fetch(int socks, int originPort, int size) throws Exception {
    Proxy proxy = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", socks));
    try (Socket s = new Socket(proxy)) {
      s.setSoTimeout(30_000);
      s.connect(InetSocketAddress.createUnresolved("127.0.0.1", originPort), 10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET /bytes/" + size + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      byte[] r = all.toByteArray();
      String text = new String(r, StandardCharsets.ISO_8859_1);
      int body = text.indexOf("\r\n\r\n") + 4;
      assertThat(text).startsWith("HTTP/1.1 200");
      byte[] got = java.util.Arrays.copyOfRange(r, body, r.length);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      assertThat(sha.digest(got)).isEqualTo(sha.digest(HttpOrigin.bytes(size)));
    }
    return null;
  }
}
