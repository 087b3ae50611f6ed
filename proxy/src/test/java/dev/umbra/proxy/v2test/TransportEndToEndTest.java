package dev.umbra.proxy.v2test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Umbra to Umbra over the transports v2ray 4.34 has no peer for: httpupgrade (with a Host check),
 * and ws early data carried in a header or in the path; each protocol over each, TCP by hash and
 * UDP. Also: a wrong path gets a 404 and no upgrade.
 */
class TransportEndToEndTest {
  @TempDir Path dir;

  static final String HTTPUPGRADE =
      "{\"type\": \"httpupgrade\", \"path\": \"/up\", \"host\": \"cdn.example\"}";
  static final String WS_EARLY_HEADER =
      "{\"type\": \"ws\", \"path\": \"/ed\", \"max_early_data\": 2048,"
          + " \"early_data_header_name\": \"Sec-WebSocket-Protocol\"}";
  static final String WS_EARLY_PATH =
      "{\"type\": \"ws\", \"path\": \"/ed\", \"max_early_data\": 2048,"
          + " \"headers\": {\"X-Test\": \"1\"}}";

  static String user(String protocol) {
    return switch (protocol) {
      case "trojan" -> "\"users\": [{\"name\": \"u\", \"password\": \"pw\"}]";
      default -> "\"users\": [{\"name\": \"u\", \"uuid\": \"" + Harness.UUID + "\"}]";
    };
  }

  static String credential(String protocol) {
    return switch (protocol) {
      case "trojan" -> "\"password\": \"pw\"";
      default -> "\"uuid\": \"" + Harness.UUID + "\"";
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"vmess", "vless", "trojan"})
  void everyProtocolOverEveryUmbraOnlyCarrier(String protocol) throws Exception {
    TestCerts certs = TestCerts.create(dir);
    for (String transport : new String[] {HTTPUPGRADE, WS_EARLY_HEADER, WS_EARLY_PATH}) {
      int port = FreePort.tcp();
      int socks = FreePort.tcp();
      int udp = FreePort.tcp();
      String tlsServer =
          protocol.equals("trojan")
              ? ", \"tls\": {\"enabled\": true, \"certificate_path\": \"%s\", \"key_path\": \"%s\"}"
                  .formatted(certs.certificate(), certs.key())
              : "";
      String tlsClient =
          protocol.equals("trojan")
              ? ", \"tls\": {\"enabled\": true, \"server_name\": \"localhost\","
                  + " \"certificate_path\": \"%s\"}".formatted(certs.certificate())
              : "";
      try (HttpOrigin origin = new HttpOrigin();
          UdpEcho echo = new UdpEcho();
          Harness.Running server =
              Harness.umbra(
                  """
                  {"log": {"level": "warn"},
                   "inbounds": [{"type": "%s", "tag": "in", "listen": "127.0.0.1",
                     "listen_port": %d, %s, "transport": %s %s}],
                   "outbounds": [{"type": "direct", "tag": "direct"}]}
                  """
                      .formatted(protocol, port, user(protocol), transport, tlsServer));
          Harness.Running client =
              Harness.umbra(
                  """
                  {"log": {"level": "warn"},
                   "inbounds": [
                     {"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d},
                     {"type": "direct", "tag": "udp-in", "listen": "127.0.0.1",
                      "listen_port": %d, "network": "udp", "override_address": "127.0.0.1",
                      "override_port": %d}],
                   "outbounds": [{"type": "%s", "tag": "out", "server": "127.0.0.1",
                     "server_port": %d, %s, "transport": %s %s}]}
                  """
                      .formatted(
                          socks,
                          udp,
                          echo.port(),
                          protocol,
                          port,
                          credential(protocol),
                          transport,
                          tlsClient))) {
        Harness.assertTcpThroughSocks(socks, origin, dir, 1024 * 1024);
        Harness.assertUdpEcho(udp);
      }
    }
  }

  static String upgrade(String path, String host) {
    return String.join(
        "\r\n",
        "GET " + path + " HTTP/1.1",
        "Host: " + host,
        "Connection: Upgrade",
        "Upgrade: websocket",
        "",
        "");
  }

  @Test
  void aWrongPathOrHostGetsA404() throws Exception {
    int port = FreePort.tcp();
    try (Harness.Running server =
        Harness.umbra(
            """
            {"log": {"level": "warn"},
             "inbounds": [{"type": "vless", "tag": "in", "listen": "127.0.0.1",
               "listen_port": %d, %s, "transport": %s}],
             "outbounds": [{"type": "direct", "tag": "direct"}]}
            """
                .formatted(port, user("vless"), HTTPUPGRADE))) {
      for (String request :
          new String[] {upgrade("/other", "cdn.example"), upgrade("/up", "elsewhere")}) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
          s.setSoTimeout(5000);
          s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
          InputStream in = s.getInputStream();
          assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII))
              .isEqualTo("HTTP/1.1 404");
        }
      }
    }
  }
}
