package dev.umbra.proxy.v2test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.TestCerts;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The grpc and http (HTTP/2 over TLS) transports keep one session per outbound across connections:
 * closing the instance closes it, so no carrier connection to the server is left behind.
 */
class SessionTransportLifecycleTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"grpc", "http"})
  void closingTheOutboundClosesItsSharedSession(String transport) throws Exception {
    TestCerts certs = TestCerts.create(dir);
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    String tls =
        "\"enabled\": true, \"server_name\": \"localhost\", \"certificate_path\": \"%s\""
            .formatted(certs.certificate());
    try (HttpOrigin origin = new HttpOrigin();
        Harness.Running server =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "trojan", "tag": "in", "listen": "127.0.0.1",
                   "listen_port": %d, "users": [{"name": "u", "password": "%s"}],
                   "tls": {"enabled": true, "certificate_path": "%s", "key_path": "%s"},
                   "transport": {"type": "%s"}}],
                 "outbounds": [{"type": "direct", "tag": "direct"}]}
                """
                    .formatted(
                        port, Harness.PASSWORD, certs.certificate(), certs.key(), transport))) {
      Harness.Running client =
          Harness.umbra(
              """
              {"log": {"level": "warn"},
               "inbounds": [{"type": "mixed", "tag": "socks", "listen": "127.0.0.1",
                 "listen_port": %d}],
               "outbounds": [{"type": "trojan", "tag": "out", "server": "127.0.0.1",
                 "server_port": %d, "password": "%s", "tls": {%s},
                 "transport": {"type": "%s"}}]}
              """
                  .formatted(socks, port, Harness.PASSWORD, tls, transport));
      try {
        Harness.assertTcpThroughSocks(socks, origin, dir, 64 * 1024);
        // the relayed connection has ended; the HTTP/2 session stays for the next one
        assertThat(Leaks.established(port, false)).as("shared session").isNotEmpty();
      } finally {
        client.close();
      }
      assertThat(Leaks.established(port, false)).as("carriers after close").isEmpty();
    }
  }
}
