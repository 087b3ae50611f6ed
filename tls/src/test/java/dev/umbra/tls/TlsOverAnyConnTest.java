package dev.umbra.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.TlsConnector;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Pipe;
import dev.umbra.core.net.PrefixedConn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.testkit.FreePort;
import dev.umbra.testkit.PeerProcess;
import dev.umbra.testkit.TestCerts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS over carriers that are not sockets (an in-memory pipe, a wrapped stream), as it runs inside
 * proxied streams and tunnels, and the connector core loads through ServiceLoader.
 */
@Tag("interop")
class TlsOverAnyConnTest {
  @TempDir static Path dir;
  static TestCerts certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.create(dir);
  }

  private static TlsOptions options(String json) {
    return Binder.bind(Jsonc.parse(json, "t"), TlsOptions.class, "tls");
  }

  private static TlsServer server(String extra) {
    return TlsServer.create(
        options(
            "{\"enabled\": true, \"certificate_path\": \""
                + certs.certificate()
                + "\", \"key_path\": \""
                + certs.key()
                + "\""
                + extra
                + "}"),
        "tls");
  }

  private static TlsClient trustingClient(String extra) {
    return TlsClient.create(
        options(
            "{\"enabled\": true, \"certificate_path\": \""
                + certs.certificate()
                + "\""
                + extra
                + "}"),
        "tls");
  }

  /**
   * 8 MiB each way at once over a pipe, checked by hash, ending with a half-close each side: the
   * other direction keeps flowing after one side's close_notify.
   */
  @Test
  void bulkBothWaysWithHalfCloseOverAPipe() throws Exception {
    for (String version : new String[] {"1.3", "1.2"}) {
      Conn[] pipe = Pipe.create();
      TlsServer server = server("");
      CompletableFuture<TlsConn> accepted =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return server.accept(pipe[1]);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              },
              Thread::startVirtualThread);
      TlsClient client = trustingClient(", \"max_version\": \"" + version + "\"");
      try (TlsConn c = client.wrap(pipe[0], "localhost");
          TlsConn s = accepted.get(20, TimeUnit.SECONDS)) {
        assertThat(c.protocolVersion()).isEqualTo("TLSv" + version);
        // Go's choice (AES-128-GCM), not the JDK server's first preference (AES-256-GCM)
        assertThat(s.cipherSuite()).contains("_AES_128_GCM_SHA256");
        byte[] up = new byte[8 << 20];
        byte[] down = new byte[8 << 20];
        new Random(1).nextBytes(up);
        new Random(2).nextBytes(down);
        if (version.equals("1.3")) {
          // client finishes first, then the server still answers: a real half-close
          CompletableFuture<byte[]> serverGot = readAllAsync(s);
          c.out().write(up);
          c.shutdownOutput();
          assertThat(sha(serverGot.get(30, TimeUnit.SECONDS))).isEqualTo(sha(up));
          CompletableFuture<byte[]> clientGot = readAllAsync(c);
          s.out().write(down);
          s.shutdownOutput();
          assertThat(sha(clientGot.get(30, TimeUnit.SECONDS))).isEqualTo(sha(down));
        } else {
          // TLS 1.2 has no half-close; both directions at once, then the server ends
          CompletableFuture<byte[]> clientGot = readAllAsync(c);
          CompletableFuture<Void> serverSends =
              CompletableFuture.runAsync(
                  () -> {
                    try {
                      s.out().write(down);
                      s.shutdownOutput();
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  },
                  Thread::startVirtualThread);
          serverSends.get(30, TimeUnit.SECONDS);
          assertThat(sha(clientGot.get(30, TimeUnit.SECONDS))).isEqualTo(sha(down));
        }
      }
    }
  }

  @Test
  void aes128SuitesComeBeforeTheirAes256Twins() {
    assertThat(
            TlsParameters.aes128First(
                new String[] {
                  "TLS_AES_256_GCM_SHA384",
                  "TLS_AES_128_GCM_SHA256",
                  "TLS_CHACHA20_POLY1305_SHA256",
                  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                }))
        .containsExactly(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  }

  /** Ten 2 KiB records (as Go peers send them) already on the carrier come back in one read. */
  @Test
  void oneReadReturnsEverySmallRecordAlreadyBuffered() throws Exception {
    Conn[] pipe = Pipe.create();
    TlsServer server = server("");
    CompletableFuture<TlsConn> accepted =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return server.accept(pipe[1]);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            },
            Thread::startVirtualThread);
    try (TlsConn c = trustingClient("").wrap(pipe[0], "localhost");
        TlsConn s = accepted.get(20, TimeUnit.SECONDS)) {
      byte[] chunk = new byte[2048];
      byte[] sent = new byte[10 * chunk.length];
      new Random(3).nextBytes(sent);
      for (int i = 0; i < 10; i++) {
        c.out().write(sent, i * chunk.length, chunk.length); // one record per write
      }
      byte[] buf = new byte[64 * 1024];
      int n = s.in().read(buf, 0, buf.length);
      assertThat(n).isEqualTo(sent.length);
      assertThat(java.util.Arrays.copyOf(buf, n)).isEqualTo(sent);
      // a small array still gets whole records' bytes in order, the rest kept for the next read
      c.out().write(sent, 0, 5000);
      byte[] small = new byte[3000];
      assertThat(s.in().readNBytes(small, 0, 3000)).isEqualTo(3000);
      assertThat(small).isEqualTo(java.util.Arrays.copyOf(sent, 3000));
      assertThat(s.in().readNBytes(small, 0, 2000)).isEqualTo(2000);
      assertThat(java.util.Arrays.copyOf(small, 2000))
          .isEqualTo(java.util.Arrays.copyOfRange(sent, 3000, 5000));
    }
  }

  @Test
  void clientOverAWrappedStreamAgainstOpensslServer() throws Exception {
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
      Socket raw = new Socket(InetAddress.getLoopbackAddress(), port);
      // a PrefixedConn is not a SocketConn: the engine path is the only one that can carry it
      Conn notASocket = new PrefixedConn(new SocketConn(raw), new byte[0], 0);
      try (TlsConn c = trustingClient("").wrap(notASocket, "localhost")) {
        c.out().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String response = new String(c.in().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(response).startsWith("HTTP/1.0 200");
      }
    }
  }

  @Test
  void installedConnectorVerifiesThePeer() throws Exception {
    assertThat(TlsConnector.installed()).containsInstanceOf(DefaultTlsConnector.class);
    // the system trust store rejects the self-signed test certificate; explicit trust accepts it
    for (boolean trust : new boolean[] {false, true}) {
      Conn[] pipe = Pipe.create();
      TlsServer server = server(", \"alpn\": [\"http/1.1\"]");
      CompletableFuture<TlsConn> accepted =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return server.accept(pipe[1]);
                } catch (IOException e) {
                  return null; // the untrusting client aborts; accept closed its end
                }
              },
              Thread::startVirtualThread);
      TlsConnector connector =
          trust
              ? new DefaultTlsConnector(Files.readAllLines(certs.certificate()))
              : TlsConnector.installed().orElseThrow();
      if (trust) {
        Conn c = connector.connect(pipe[0], "localhost");
        assertThat(((TlsConn) c).applicationProtocol()).isEqualTo("http/1.1");
        c.close();
      } else {
        assertThatThrownBy(() -> connector.connect(pipe[0], "localhost"))
            .hasMessageContaining("handshake");
      }
      accepted.get(20, TimeUnit.SECONDS);
    }
  }

  private static CompletableFuture<byte[]> readAllAsync(Conn c) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return c.in().readAllBytes();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        Thread::startVirtualThread);
  }

  private static String sha(byte[] b) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
