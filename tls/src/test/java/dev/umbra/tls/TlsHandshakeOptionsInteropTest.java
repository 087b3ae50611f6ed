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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates both ways, the self-signed certificates of an {@code insecure} server, {@code
 * cipher_suites} and {@code curve_preferences}, each against openssl.
 */
@Tag("interop")
class TlsHandshakeOptionsInteropTest {
  @TempDir static Path dir;
  static TestCerts server;
  static Path ca;
  static Path client;
  static Path clientKey;
  static Path stranger;
  static Path strangerKey;

  @BeforeAll
  static void certificates() throws Exception {
    server = TestCerts.create(dir);
    ca = dir.resolve("ca.pem");
    Path caKey = dir.resolve("ca.key");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
        "-keyout",
        caKey.toString(),
        "-out",
        ca.toString());
    client = dir.resolve("client.pem");
    clientKey = dir.resolve("client.key");
    Path csr = dir.resolve("client.csr");
    Path ext = dir.resolve("client.ext");
    Files.writeString(ext, "extendedKeyUsage=clientAuth\n");
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=client",
        "-keyout",
        clientKey.toString(),
        "-out",
        csr.toString());
    openssl(
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        ca.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        ext.toString(),
        "-out",
        client.toString());
    stranger = dir.resolve("stranger.pem");
    strangerKey = dir.resolve("stranger.key");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=stranger",
        "-keyout",
        strangerKey.toString(),
        "-out",
        stranger.toString());
  }

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    PeerProcess.requireBinary("openssl");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  static TlsOptions options(String json) {
    return Binder.bind(Jsonc.parse(json, "t"), TlsOptions.class, "tls");
  }

  private static String serverJson(String extra) {
    return "{\"enabled\": true, \"certificate_path\": \""
        + server.certificate()
        + "\", \"key_path\": \""
        + server.key()
        + "\""
        + extra
        + "}";
  }

  /** Our server greets each handshake that succeeds with "hello"; counts those that fail. */
  private record Served(ServerSocket listener, AtomicInteger failures) implements AutoCloseable {
    static Served start(TlsServer tls) throws IOException {
      ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      AtomicInteger failures = new AtomicInteger();
      Thread.ofVirtual()
          .start(() -> {
            while (!listener.isClosed()) {
              try {
                Socket s = listener.accept();
                Thread.ofVirtual()
                    .start(() -> {
                      try (s;
                          TlsConn c = tls.accept(new SocketConn(s))) {
                        c.out().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                        c.out().flush();
                        // close only after the client has: closing first could reset the
                        // connection and lose the greeting
                        c.shutdownOutput();
                        s.setSoTimeout(10_000);
                        c.in().readAllBytes();
                      } catch (IOException e) {
                        failures.incrementAndGet();
                      }
                    });
              } catch (IOException e) {
                return;
              }
            }
          });
      return new Served(listener, failures);
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }

  /** openssl s_client against {@code port}; returns what it printed (stdout and stderr). */
  private static String sClient(int port, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-servername",
                "localhost",
                "-CAfile",
                server.certificate().toString(),
                "-verify_return_error",
                "-ign_eof"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void serverVerifiesClientCertificatesAgainstItsCas() throws Exception {
    TlsServer tls =
        TlsServer.create(
            options(serverJson(", \"client_certificate_path\": [\"" + ca + "\"]")), "tls");
    try (Served s = Served.start(tls)) {
      assertThat(sClient(s.port(), "-cert", client.toString(), "-key", clientKey.toString()))
          .contains("hello");
      assertThat(sClient(s.port())).doesNotContain("hello"); // none: required
      assertThat(sClient(s.port(), "-cert", stranger.toString(), "-key", strangerKey.toString()))
          .doesNotContain("hello"); // not issued by the CA
    }
  }

  @Test
  void verifyIfGivenLetsClientsWithoutCertificatesIn() throws Exception {
    TlsServer tls =
        TlsServer.create(
            options(
                serverJson(
                    ", \"client_authentication\": \"verify-if-given\", \"client_certificate\": "
                        + pemLines(ca))),
            "tls");
    try (Served s = Served.start(tls)) {
      assertThat(sClient(s.port())).contains("hello");
      assertThat(sClient(s.port(), "-cert", client.toString(), "-key", clientKey.toString()))
          .contains("hello");
      assertThat(sClient(s.port(), "-cert", stranger.toString(), "-key", strangerKey.toString()))
          .doesNotContain("hello");
    }
  }

  @Test
  void pinnedClientKeysReplaceTheChainCheck() throws Exception {
    TlsServer tls =
        TlsServer.create(
            options(
                serverJson(
                    ", \"client_authentication\": \"require-and-verify\","
                        + " \"client_certificate_public_key_sha256\": [\""
                        + pin(stranger)
                        + "\"]")),
            "tls");
    try (Served s = Served.start(tls)) {
      assertThat(sClient(s.port(), "-cert", stranger.toString(), "-key", strangerKey.toString()))
          .contains("hello");
      assertThat(sClient(s.port(), "-cert", client.toString(), "-key", clientKey.toString()))
          .doesNotContain("hello");
      assertThat(sClient(s.port())).doesNotContain("hello");
    }
  }

  @Test
  void clientPresentsItsCertificateToOpenssl() throws Exception {
    int port = FreePort.tcp();
    try (PeerProcess ignored =
        PeerProcess.start(
            "openssl-s_server",
            port,
            Duration.ofSeconds(15),
            "openssl",
            "s_server",
            "-accept",
            "127.0.0.1:" + port,
            "-cert",
            server.certificate().toString(),
            "-key",
            server.key().toString(),
            "-Verify",
            "1",
            "-CAfile",
            ca.toString(),
            "-verify_return_error",
            "-www",
            "-quiet")) {
      String trust = ", \"certificate_path\": \"" + server.certificate() + "\"";
      TlsClient withCertificate =
          TlsClient.create(
              options(
                  "{\"enabled\": true"
                      + trust
                      + ", \"client_certificate_path\": \""
                      + client
                      + "\", \"client_key_path\": \""
                      + clientKey
                      + "\"}"),
              "tls");
      assertThat(fetch(withCertificate, port)).startsWith("HTTP/1.0 200");
      TlsClient without = TlsClient.create(options("{\"enabled\": true" + trust + "}"), "tls");
      assertThatThrownBy(() -> fetch(without, port)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void insecureServerWithoutCertificateSignsOneForTheRequestedName() throws Exception {
    TlsServer tls = TlsServer.create(options("{\"enabled\": true, \"insecure\": true}"), "tls");
    try (Served s = Served.start(tls)) {
      for (String name : new String[] {"a.example", "b.example"}) {
        Process p =
            new ProcessBuilder(
                    "openssl",
                    "s_client",
                    "-connect",
                    "127.0.0.1:" + s.port(),
                    "-servername",
                    name,
                    "-ign_eof")
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("subject=CN = " + name).contains("hello");
      }
    }
  }

  @Test
  void cipherSuitesChooseAmongTls12SuitesAndLeaveTls13On() throws Exception {
    TlsServer tls =
        TlsServer.create(
            options(serverJson(", \"cipher_suites\": [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"]")),
            "tls");
    try (Served s = Served.start(tls)) {
      assertThat(sClient(s.port(), "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"))
          .contains("hello")
          .contains("Cipher is ECDHE-RSA-AES128-GCM-SHA256");
      assertThat(sClient(s.port(), "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"))
          .doesNotContain("hello");
      assertThat(sClient(s.port())).contains("hello").contains("TLSv1.3");
    }
  }

  @Test
  void curvePreferencesLimitTheKeyExchangeGroups() throws Exception {
    TlsServer tls =
        TlsServer.create(options(serverJson(", \"curve_preferences\": [\"P384\"]")), "tls");
    try (Served s = Served.start(tls)) {
      assertThat(sClient(s.port(), "-groups", "P-384")).contains("hello");
      assertThat(sClient(s.port(), "-groups", "X25519")).doesNotContain("hello");
    }
  }

  @Test
  void fieldsOfTheOtherSideAndBadValuesAreConfigErrors() {
    assertThatThrownBy(
            () -> TlsServer.create(options(serverJson(", \"client_key_path\": \"/x\"")), "tls"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("tls.client_key_path: unknown field");
    assertThatThrownBy(() ->
            TlsClient.create(
                options("{\"enabled\": true, \"client_authentication\": \"request\"}"), "tls"))
        .hasMessageStartingWith("tls.client_authentication: unknown field");
    assertThatThrownBy(() ->
            TlsServer.create(
                options(serverJson(", \"client_authentication\": \"require-and-verify\"")), "tls"))
        .hasMessageStartingWith("tls.client_authentication: 'require-and-verify' needs");
    assertThatThrownBy(() -> options("{\"client_authentication\": \"sometimes\"}"))
        .hasMessageStartingWith("tls.client_authentication");
    assertThatThrownBy(() ->
            TlsClient.create(
                options("{\"enabled\": true, \"client_certificate_path\": \"" + client + "\"}"),
                "tls"))
        .hasMessageStartingWith("tls.client_key: client_certificate and client_key go together");
    assertThatThrownBy(() ->
            TlsClient.create(
                options("{\"enabled\": true, \"curve_preferences\": [\"X25519MLKEM768\"]}"), "tls"))
        .hasMessageStartingWith("tls.curve_preferences[0]: X25519MLKEM768 is not supported yet");
    assertThatThrownBy(() -> options("{\"certificate_public_key_sha256\": [\"AAAA\"]}"))
        .hasMessageStartingWith("tls.certificate_public_key_sha256[0]: expected the base64");
  }

  private static String fetch(TlsClient tls, int port) throws IOException {
    Socket raw = new Socket(InetAddress.getLoopbackAddress(), port);
    try (TlsConn c = tls.wrap(new SocketConn(raw), "localhost")) {
      c.out().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      c.out().flush();
      return new String(c.in().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static String pin(Path certificate) throws Exception {
    byte[] spki =
        MessageDigest.getInstance("SHA-256")
            .digest(
                java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(certificate))
                    .getPublicKey()
                    .getEncoded());
    return Base64.getEncoder().encodeToString(spki);
  }

  /** A PEM file as sing-box's inline form: a JSON array of its lines. */
  private static String pemLines(Path file) throws IOException {
    StringBuilder b = new StringBuilder("[");
    for (String line : Files.readAllLines(file)) {
      b.append(b.length() > 1 ? ", " : "").append('"').append(line).append('"');
    }
    return b.append(']').toString();
  }
}
