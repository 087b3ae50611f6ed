package dev.umbra.proxy.trojan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.ConfigException;
import dev.umbra.proxy.v2test.Harness;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.HttpOrigin;
import dev.umbra.testkit.TestCerts;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrong passwords, garbage and probes at the trojan inbound: they reach the fallback for their ALPN
 * (or, without one, are drained in silence), and a real client keeps working alongside.
 */
class TrojanHostileInputTest {
  static HttpOrigin origin;
  static ServerSocket h2Site;
  static TestCerts certs;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    origin = new HttpOrigin();
    certs = TestCerts.create(dir);
    h2Site = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(() -> {
          while (!h2Site.isClosed()) {
            try (Socket s = h2Site.accept()) {
              s.getOutputStream().write("h2-site".getBytes(StandardCharsets.US_ASCII));
            } catch (java.io.IOException e) {
              return;
            }
          }
        });
  }

  @AfterAll
  static void stop() throws Exception {
    origin.close();
    h2Site.close();
  }

  static String server(int port, boolean fallback) {
    String fb =
        fallback
            ? """
            , "fallback": {"server": "127.0.0.1", "server_port": %d},
            "fallback_for_alpn": {"h2": {"server": "127.0.0.1", "server_port": %d}}
            """
                .formatted(origin.port(), h2Site.getLocalPort())
            : "";
    return """
    {"log": {"level": "warn"},
     "inbounds": [{"type": "trojan", "tag": "tj-in", "listen": "127.0.0.1", "listen_port": %d,
       "users": [{"name": "a", "password": "one"}, {"name": "b", "password": "two"}],
       "tls": {"enabled": true, "certificate_path": "%s", "key_path": "%s",
               "alpn": ["h2", "http/1.1"]} %s}],
     "outbounds": [{"type": "direct", "tag": "direct"}]}
    """
        .formatted(port, certs.certificate(), certs.key(), fb);
  }

  static SSLSocket tls(int port, String alpn) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] c, String a) {}

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {alpn});
    s.setSSLParameters(p);
    s.setSoTimeout(5000);
    s.startHandshake();
    return s;
  }

  static String exchange(SSLSocket s, byte[] request) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(request);
    out.flush();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[256];
    int n = in.read(buf);
    return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
  }

  @Test
  void wrongPasswordAndProbesGoToTheFallbackForTheirAlpn() throws Exception {
    int port = FreePort.tcp();
    int socks = FreePort.tcp();
    try (Harness.Running server = Harness.umbra(server(port, true));
        Harness.Running client =
            Harness.umbra(
                """
                {"log": {"level": "warn"},
                 "inbounds": [{"type": "mixed", "tag": "in", "listen": "127.0.0.1",
                   "listen_port": %d}],
                 "outbounds": [{"type": "trojan", "tag": "tj", "server": "127.0.0.1",
                   "server_port": %d, "password": "two",
                   "tls": {"enabled": true, "insecure": true, "server_name": "localhost"}}]}
                """
                    .formatted(socks, port))) {
      // A well-formed request with an unknown password: its bytes reach the web server.
      try (SSLSocket s = tls(port, "http/1.1")) {
        byte[] req =
            Trojan.request(
                Trojan.key("three"),
                Trojan.CONNECT,
                dev.umbra.core.net.Destination.of("127.0.0.1", 80));
        assertThat(exchange(s, req)).startsWith("HTTP/1.1 400");
      }
      // An HTTP probe gets the site's real page.
      try (SSLSocket s = tls(port, "http/1.1")) {
        String r =
            exchange(
                s,
                "GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        assertThat(r).startsWith("HTTP/1.1 200");
      }
      // ALPN h2 goes to the h2 fallback.
      try (SSLSocket s = tls(port, "h2")) {
        assertThat(exchange(s, "PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII)))
            .isEqualTo("h2-site");
      }
      // A real client alongside is not disturbed.
      Harness.assertTcpThroughSocks(socks, origin, dir, 64 * 1024);
    }
  }

  @Test
  void withoutFallbackGarbageIsDrainedInSilence() throws Exception {
    int port = FreePort.tcp();
    try (Harness.Running server = Harness.umbra(server(port, false));
        SSLSocket s = tls(port, "http/1.1")) {
      s.setSoTimeout(1000);
      s.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      assertThatThrownBy(() -> s.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void multiplexUnknownProtocolIsRejectedAtLoad() {
    assertThatThrownBy(() ->
            Harness.umbra(
                """
                {"outbounds": [{"type": "trojan", "tag": "tj", "server": "127.0.0.1",
                  "server_port": 1, "password": "x",
                  "multiplex": {"enabled": true, "protocol": "spdy"}}]}
                """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].multiplex.protocol")
        .hasMessageContaining("unknown multiplex protocol");
  }
}
