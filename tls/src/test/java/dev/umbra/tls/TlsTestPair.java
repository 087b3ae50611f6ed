package dev.umbra.tls;

import dev.umbra.core.config.Binder;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.net.Conn;
import dev.umbra.testkit.TestCerts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A TLS client and server handshaken over two ends of a carrier, for tests. */
final class TlsTestPair {
  private TlsTestPair() {}

  static TlsOptions options(String json) {
    return Binder.bind(Jsonc.parse(json, "t"), TlsOptions.class, "tls");
  }

  /**
   * {client, server}: the server accepts on {@code serverEnd} (on a virtual thread), the client
   * with {@code max_version} {@code version} wraps {@code clientEnd} for "localhost".
   */
  static TlsConn[] handshake(TestCerts certs, String version, Conn clientEnd, Conn serverEnd)
      throws Exception {
    TlsServer server =
        TlsServer.create(
            options(
                "{\"enabled\": true, \"certificate_path\": \"%s\", \"key_path\": \"%s\"}"
                    .formatted(certs.certificate(), certs.key())),
            "tls");
    CompletableFuture<TlsConn> accepted =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return server.accept(serverEnd);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            Thread::startVirtualThread);
    TlsClient client =
        TlsClient.create(
            options(
                "{\"enabled\": true, \"certificate_path\": \"%s\", \"max_version\": \"%s\"}"
                    .formatted(certs.certificate(), version)),
            "tls");
    TlsConn c = client.wrap(clientEnd, "localhost");
    return new TlsConn[] {c, accepted.get(20, TimeUnit.SECONDS)};
  }
}
