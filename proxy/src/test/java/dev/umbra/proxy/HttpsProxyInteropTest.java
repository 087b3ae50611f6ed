package dev.umbra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.testkit.Curl;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.TestCerts;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http inbound behind TLS (an HTTPS proxy) with curl, and the http outbound speaking TLS to it.
 */
@Tag("interop")
class HttpsProxyInteropTest {
  @TempDir Path dir;

  @Test
  void curlThroughTlsHttpInboundAndTlsHttpOutboundChain() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    try (HttpOrigin origin = new HttpOrigin()) {
      int https = FreePort.tcp();
      int front = FreePort.tcp();
      String server =
          """
          {"log": {"level": "warn"},
           "inbounds": [{"type": "http", "tag": "tls-in", "listen": "127.0.0.1", "listen_port": %d,
             "users": [{"username": "u", "password": "p"}],
             "tls": {"enabled": true, "certificate": %s, "key_path": "%s"}}],
           "outbounds": [{"type": "direct", "tag": "direct"}]}
          """
              .formatted(https, certs.certificateJson(), certs.key());
      try (RunningUmbra s = RunningUmbra.start(server)) {
        // curl speaks TLS to the proxy itself (-x https://), verifying our certificate
        for (String proxyMode : new String[] {"-p", "--no-proxytunnel"}) {
          Curl.Result r =
              Curl.run(
                  proxyMode,
                  "-x",
                  "https://u:p@localhost:" + https,
                  "--proxy-cacert",
                  certs.certificate().toString(),
                  origin.url("/small"));
          assertThat(r.exitCode()).as(r.stderr()).isZero();
          assertThat(r.text()).isEqualTo("ok\n");
        }
        // Umbra client: mixed inbound -> http outbound over TLS -> the server above
        String client =
            """
            {"log": {"level": "warn"},
             "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1", "listen_port": %d}],
             "outbounds": [{"type": "http", "tag": "up", "server": "127.0.0.1", "server_port": %d,
               "username": "u", "password": "p",
               "tls": {"enabled": true, "server_name": "localhost", "certificate_path": "%s"}}]}
            """
                .formatted(front, https, certs.certificate());
        try (RunningUmbra c = RunningUmbra.start(client)) {
          Curl.Result r =
              Curl.run(
                  "--socks5-hostname",
                  "127.0.0.1:" + front,
                  "http://localhost:" + origin.port() + "/small");
          assertThat(r.exitCode()).as(r.stderr()).isZero();
          assertThat(r.text()).isEqualTo("ok\n");
        }
      }
    }
  }
}
