package dev.umbra.transport.h2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.core.net.Conn;
import dev.umbra.testkit.TestCerts;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.ClientStack;
import dev.umbra.transport.Loopback;
import dev.umbra.transport.ServerStack;
import dev.umbra.transport.TransportOptions;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Umbra client and server of the {@code http} (HTTP/2 over TLS, HTTP/1.1 and h2c without) and
 * {@code grpc} (TLS and h2c) transports: echoes through many streams sharing one connection.
 */
class H2TransportTest {
  @TempDir static Path dir;
  static TestCerts certs;

  @BeforeAll
  static void certs() throws Exception {
    certs = TestCerts.create(dir);
  }

  static byte[] echo(Conn c, byte[] data) throws Exception {
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<?> w =
          ex.submit(() -> {
            c.out().write(data);
            c.out().flush();
            c.shutdownOutput();
            return null;
          });
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      c.setReadTimeout(20_000);
      while ((n = c.in().read(buf)) >= 0) {
        got.write(buf, 0, n);
      }
      w.get(20, TimeUnit.SECONDS);
      c.close();
      return got.toByteArray();
    }
  }

  private void roundTrips(String transport, boolean tls, int expectConnections) throws Exception {
    TransportOptions t = Loopback.transport(transport);
    TlsOptions st = tls ? Loopback.serverTls(certs) : null;
    TlsOptions ct = tls ? Loopback.clientTls(certs) : null;
    ServerStack server = ServerStack.create(st, t, "inbounds[0]");
    ClientStack client = ClientStack.create(ct, t, "outbounds[0]");
    try (Loopback lb = new Loopback(server, Loopback.echo())) {
      byte[] big = new byte[3 * 1024 * 1024 + 17];
      new Random(1).nextBytes(big);
      assertThat(echo(client.connect(lb.dial(), "localhost"), big)).isEqualTo(big);
      try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<byte[]>> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          byte[] d = ("stream " + i + " ").repeat(5000).getBytes();
          all.add(ex.submit(() -> echo(client.connect(lb.dial(), "localhost"), d)));
        }
        for (int i = 0; i < 8; i++) {
          assertThat(new String(all.get(i).get(30, TimeUnit.SECONDS)))
              .isEqualTo(("stream " + i + " ").repeat(5000));
        }
      }
      if (expectConnections > 0) {
        assertThat(lb.accepted.get()).isEqualTo(expectConnections);
      } else {
        assertThat(lb.accepted.get()).isEqualTo(9);
      }
    }
  }

  @Test
  void httpOverTlsSharesOneHttp2Connection() throws Exception {
    roundTrips(
        "{\"type\": \"http\", \"host\": [\"a.test\", \"b.test\"], \"path\": \"/h2\"}", true, 1);
  }

  @Test
  void httpWithoutTlsIsHttp1PerConnection() throws Exception {
    roundTrips("{\"type\": \"http\", \"path\": \"/h1\", \"method\": \"POST\"}", false, 0);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void grpcSharesOneConnection(boolean tls) throws Exception {
    roundTrips("{\"type\": \"grpc\", \"service_name\": \"Gun Svc\"}", tls, 1);
  }
}
