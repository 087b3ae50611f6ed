package dev.umbra.proxy.v2test;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.TestCerts;
import dev.umbra.testkit.UdpEcho;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Umbra to Umbra over the HTTP/2-family carriers v2ray 4.34 has no peer for: grpc over TLS and over
 * h2c, and http without TLS (HTTP/1.1); VMess, VLESS and Trojan over each, TCP by hash (the upload
 * exercises the client's half-close) and UDP.
 */
class Http2TransportEndToEndTest {
  @TempDir static Path dir;
  static TestCerts certs;
  static HttpOrigin origin;
  static UdpEcho echo;

  static final String GRPC = "{\"type\": \"grpc\", \"service_name\": \"TunService\"}";
  static final String HTTP1 =
      "{\"type\": \"http\", \"host\": [\"cdn.example\"], \"path\": \"/up\", \"method\": \"POST\","
          + " \"headers\": {\"X-Test\": \"1\"}}";

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.create(dir);
    origin = new HttpOrigin();
    echo = new UdpEcho();
  }

  @AfterAll
  static void stop() {
    origin.close();
    echo.close();
  }

  @ParameterizedTest
  @CsvSource({
    "vmess, grpc-tls",
    "vless, grpc-tls",
    "trojan, grpc-tls",
    "vmess, grpc-h2c",
    "vless, grpc-h2c",
    "trojan, grpc-h2c",
    "vmess, http1",
    "vless, http1",
    "trojan, http1"
  })
  void protocolOverCarrier(String protocol, String carrier) throws Exception {
    boolean tls = carrier.equals("grpc-tls");
    String transport = carrier.startsWith("grpc") ? GRPC : HTTP1;
    String tlsServer =
        tls
            ? ", \"tls\": {\"enabled\": true, \"certificate_path\": \"%s\", \"key_path\": \"%s\"}"
                .formatted(certs.certificate(), certs.key())
            : "";
    String tlsClient =
        tls
            ? ", \"tls\": {\"enabled\": true, \"server_name\": \"localhost\","
                + " \"certificate_path\": \"%s\"}".formatted(certs.certificate())
            : "";
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    int udp = FreePort.tcp();
    try (Harness.Running server =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "%s", "tag": "in", "listen": "127.0.0.1",
                   "listen_port": %d, %s, "transport": %s %s}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(
                        protocol,
                        port,
                        TransportEndToEndTest.user(protocol),
                        transport,
                        tlsServer));
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
                        TransportEndToEndTest.credential(protocol),
                        transport,
                        tlsClient))) {
      Harness.assertTcpThroughSocks(socks, origin, dir, 2 * 1024 * 1024);
      H2InteropTest.assertUdpEcho(udp);
    }
  }
}
