package dev.umbra.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.SocketConn;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our TLS client against openssl s_server, our TLS server against openssl s_client. */
@Tag("interop")
class TlsInteropTest {
  @TempDir static Path dir;
  static TestCerts certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.create(dir);
  }

  static TlsOptions options(String json) {
    return Binder.bind(Jsonc.parse(json, "t"), TlsOptions.class, "outbounds[0].tls");
  }

  private static String fetchStatus(TlsClient client, int port) throws IOException {
    Socket raw = new Socket(InetAddress.getLoopbackAddress(), port);
    try (TlsConn c = client.wrap(new SocketConn(raw), "localhost")) {
      c.out().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      c.out().flush();
      String response = new String(c.in().readAllBytes(), StandardCharsets.ISO_8859_1);
      return response.lines().findFirst().orElse("") + " " + c.protocolVersion();
    }
  }

  @Test
  void clientAgainstOpensslServer() throws Exception {
    int port = FreePort.tcp();
    try (PeerProcess server =
        PeerProcess.start(
            "openssl-s_server",
            port,
            Duration.ofSeconds(15),
            "openssl",
            "s_server",
            "-accept",
            "127.0.0.1:" + port,
            "-cert",
            certs.certificate().toString(),
            "-key",
            certs.key().toString(),
            "-www",
            "-quiet")) {
      // trusting the test certificate explicitly
      TlsClient trusted =
          TlsClient.create(
              options("{\"enabled\": true, \"certificate_path\": \"" + certs.certificate() + "\"}"),
              "tls");
      assertThat(fetchStatus(trusted, port)).startsWith("HTTP/1.0 200").endsWith("TLSv1.3");
      // TLS 1.2 only
      TlsClient v12 =
          TlsClient.create(
              options("{\"enabled\": true, \"insecure\": true, \"max_version\": \"1.2\"}"), "tls");
      assertThat(fetchStatus(v12, port)).endsWith("TLSv1.2");
      // pinning the right key passes, a wrong pin fails
      byte[] spki =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  java.security.cert.CertificateFactory.getInstance("X.509")
                      .generateCertificate(Files.newInputStream(certs.certificate()))
                      .getPublicKey()
                      .getEncoded());
      String pin = Base64.getEncoder().encodeToString(spki);
      TlsClient pinned =
          TlsClient.create(
              options("{\"enabled\": true, \"certificate_public_key_sha256\": [\"" + pin + "\"]}"),
              "tls");
      assertThat(fetchStatus(pinned, port)).startsWith("HTTP/1.0 200");
      String wrongPin = Base64.getEncoder().encodeToString(new byte[32]);
      TlsClient wrong =
          TlsClient.create(
              options(
                  "{\"enabled\": true, \"certificate_public_key_sha256\": [\"" + wrongPin + "\"]}"),
              "tls");
      assertThatThrownBy(() -> fetchStatus(wrong, port)).hasMessageContaining("handshake");
      // the system trust store does not know a self-signed certificate
      TlsClient system = TlsClient.create(options("{\"enabled\": true}"), "tls");
      assertThatThrownBy(() -> fetchStatus(system, port)).hasMessageContaining("handshake");
    }
  }

  @Test
  void serverAgainstOpensslClient() throws Exception {
    for (Path key : new Path[] {certs.key(), certs.rsaKeyPkcs1()}) {
      TlsServer server =
          TlsServer.create(
              options(
                  "{\"enabled\": true, \"alpn\": [\"h2\", \"http/1.1\"], \"certificate_path\": \""
                      + certs.certificate()
                      + "\", \"key_path\": \""
                      + key
                      + "\"}"),
              "inbounds[0].tls");
      try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        Thread serving =
            Thread.ofVirtual()
                .start(() -> {
                  try (Socket s = listener.accept();
                      TlsConn c = server.accept(new SocketConn(s))) {
                    c.out()
                        .write(
                            ("alpn=" + c.applicationProtocol() + "\n")
                                .getBytes(StandardCharsets.US_ASCII));
                    c.out().flush();
                    c.shutdownOutput();
                    c.in().readAllBytes();
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
        Process client =
            new ProcessBuilder(
                    "openssl",
                    "s_client",
                    "-connect",
                    "127.0.0.1:" + listener.getLocalPort(),
                    "-servername",
                    "localhost",
                    "-alpn",
                    "http/1.1",
                    "-CAfile",
                    certs.certificate().toString(),
                    "-verify_return_error",
                    "-quiet")
                .redirectErrorStream(true)
                .start();
        client.getOutputStream().close();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("alpn=http/1.1");
        serving.join(Duration.ofSeconds(10));
      }
    }
  }

  @Test
  void badOptionsAreConfigErrors() {
    assertThatThrownBy(() -> options("{\"enabled\": true, \"min_version\": \"1.4\"}"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("outbounds[0].tls.min_version: expected 1.0, 1.1, 1.2 or 1.3");
    assertThatThrownBy(() -> options("{\"enabled\": true, \"reality\": {\"enabled\": true}}"))
        .hasMessageStartingWith("outbounds[0].tls.reality: field 'reality' is not supported yet");
    assertThatThrownBy(() ->
            TlsClient.create(options("{\"enabled\": true, \"cipher_suites\": [\"NOPE\"]}"), "tls"))
        .hasMessage("tls.cipher_suites[0]: unknown or unsupported cipher suite 'NOPE'");
    assertThatThrownBy(() -> TlsServer.create(options("{\"enabled\": true}"), "inbounds[0].tls"))
        .hasMessageStartingWith("inbounds[0].tls.certificate: a TLS server needs a certificate");
    assertThatThrownBy(() ->
            TlsServer.create(
                options("{\"enabled\": true, \"certificate\": [\"junk\"], \"key\": [\"junk\"]}"),
                "inbounds[0].tls"))
        .hasMessageStartingWith("inbounds[0].tls.certificate: no CERTIFICATE block found");
  }
}
