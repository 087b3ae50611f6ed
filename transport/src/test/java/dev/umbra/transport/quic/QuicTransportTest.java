package dev.umbra.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.config.Binder;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.Jsonc;
import dev.umbra.core.dial.DefaultDialer;
import dev.umbra.core.dial.SystemResolver;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.testkit.TestCerts;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.ClientStack;
import dev.umbra.transport.Loopback;
import dev.umbra.transport.ServerStack;
import dev.umbra.transport.TransportOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quic transport Umbra to Umbra: parallel streams share one QUIC connection and each echoes its
 * bytes by hash; half-close reaches the peer as end of stream; after the server restarts, the
 * client's next stream runs on a new connection. Config checks name the JSON path.
 */
class QuicTransportTest {
  /** No dial fields: a plain UDP socket, the system resolver. */
  static final Dialer DIRECT =
      new DefaultDialer(DialOptions.DEFAULT, null, SystemResolver.INSTANCE);

  @TempDir Path dir;

  private static TlsOptions tls(String json) {
    return Binder.bind(Jsonc.parse(json, "test"), TlsOptions.class, "tls");
  }

  private static QuicServer.Handler echo(Set<InetSocketAddress> sources) {
    return (c, source) -> {
      sources.add(source);
      c.setReadTimeout(30_000);
      byte[] buf = new byte[16384];
      int n;
      while ((n = c.in().read(buf)) >= 0) {
        c.out().write(buf, 0, n);
      }
      c.shutdownOutput();
    };
  }

  private static byte[] roundTrip(QuicClient client, int port, int size) throws Exception {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    try (Conn c = client.open(DIRECT, Destination.of("127.0.0.1", port), "localhost")) {
      c.setReadTimeout(30_000);
      Thread writer =
          Thread.ofVirtual()
              .start(() -> {
                try {
                  c.out().write(data);
                  c.shutdownOutput();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      c.in().transferTo(got);
      writer.join(30_000);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      assertThat(sha.digest(got.toByteArray())).isEqualTo(sha.digest(data));
    }
    return data;
  }

  @Test
  void parallelStreamsShareOneConnectionAndReconnectAfterRestart() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    Set<InetSocketAddress> sources = ConcurrentHashMap.newKeySet();
    QuicServer server = QuicServer.create("t", Loopback.serverTls(certs), "tls");
    server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), echo(sources));
    int port = server.localAddress().getPort();
    QuicClient client = QuicClient.create(Loopback.clientTls(certs), "tls");
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        int size = i == 0 ? 1024 * 1024 : 1000 + i * 7919;
        all.add(pool.submit(() -> roundTrip(client, port, size)));
      }
      for (Future<?> f : all) {
        f.get(120, TimeUnit.SECONDS);
      }
    }
    // every stream came from the one QUIC connection (one client UDP address)
    assertThat(sources).hasSize(1);
    InetSocketAddress first = sources.iterator().next();

    server.close();
    QuicServer again = QuicServer.create("t", Loopback.serverTls(certs), "tls");
    again.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), echo(sources));
    try {
      // the old connection was closed by the server (CONNECTION_CLOSE): a new one is dialed
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      boolean done = false;
      while (!done) {
        try {
          roundTrip(client, port, 5000);
          done = true;
        } catch (IOException | AssertionError e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(200);
        }
      }
      // from a new UDP socket
      assertThat(sources).contains(first).hasSizeGreaterThanOrEqualTo(2);
    } finally {
      client.close();
      again.close();
    }
  }

  private static Dialer dialer(String dialJson, Resolver resolver) {
    DialOptions o = Binder.bind(Jsonc.parse(dialJson, "test"), DialOptions.class, "dial");
    return new DefaultDialer(o, null, resolver);
  }

  /**
   * The dial fields reach kwik's UDP: the server, named by a domain only the dialer's resolver
   * knows, is reached at the address domain_strategy picks, from the bind address.
   */
  @Test
  void dialFieldsCarryTheQuicConnection() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    Set<InetSocketAddress> sources = ConcurrentHashMap.newKeySet();
    QuicServer server = QuicServer.create("t", Loopback.serverTls(certs), "tls");
    server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), echo(sources));
    int port = server.localAddress().getPort();
    // ::1 first: ipv4_only must skip it (the server listens on 127.0.0.1 only)
    Resolver resolver =
        name -> {
          assertThat(name).isEqualTo("quic.server.test");
          return List.of(InetAddress.ofLiteral("::1"), InetAddress.ofLiteral("127.0.0.1"));
        };
    Dialer d =
        dialer(
            """
            {"inet4_bind_address": "127.0.0.2", "connect_timeout": "4s",
             "domain_strategy": "ipv4_only"}
            """,
            resolver);
    QuicClient client = QuicClient.create(Loopback.clientTls(certs), "tls");
    try (Conn c = client.open(d, Destination.of("quic.server.test", port), "localhost")) {
      c.setReadTimeout(30_000);
      c.out().write(new byte[] {1, 2, 3});
      c.shutdownOutput();
      assertThat(c.in().readAllBytes()).containsExactly(1, 2, 3);
    } finally {
      client.close();
      server.close();
    }
    assertThat(sources)
        .singleElement()
        .satisfies(a -> assertThat(a.getAddress()).isEqualTo(InetAddress.ofLiteral("127.0.0.2")));
  }

  /** A server that never answers: the handshake gives up within connect_timeout. */
  @Test
  void connectTimeoutBoundsTheHandshake() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    try (DatagramSocket silent =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      Dialer d = dialer("{\"connect_timeout\": \"1s\"}", SystemResolver.INSTANCE);
      QuicClient client = QuicClient.create(Loopback.clientTls(certs), "tls");
      try {
        Future<?> f =
            Executors.newVirtualThreadPerTaskExecutor()
                .submit(() ->
                    client.open(
                        d, Destination.of("127.0.0.1", silent.getLocalPort()), "localhost"));
        Throwable t =
            org.assertj.core.api.Assertions.catchThrowable(() -> f.get(20, TimeUnit.SECONDS));
        assertThat(t).isInstanceOf(java.util.concurrent.ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(IOException.class);
        // kwik was given what is left of the 1 s connect_timeout (its own default is 10 s)
        var m =
            java.util.regex.Pattern.compile("timed out after (\\d+) ms")
                .matcher(t.getCause().getMessage());
        assertThat(m.find()).as(t.getCause().getMessage()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isBetween(1, 1000);
      } finally {
        client.close();
      }
    }
  }

  @Test
  void configChecks() throws Exception {
    TransportOptions quic = Loopback.transport("{\"type\": \"quic\"}");
    assertThatThrownBy(() -> ClientStack.create(null, quic, "outbounds[0]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].tls")
        .hasMessageContaining("requires tls");
    assertThatThrownBy(() -> ServerStack.create("t", null, quic, "inbounds[0]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("inbounds[0].tls");
    assertThatThrownBy(() ->
            ClientStack.create(
                tls("{\"enabled\": true, \"alpn\": [\"h3\", \"h2\"]}"), quic, "outbounds[0]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].tls.alpn");
    assertThatThrownBy(() ->
            ClientStack.create(
                tls("{\"enabled\": true, \"max_version\": \"1.2\"}"), quic, "outbounds[0]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("outbounds[0].tls.max_version");
    assertThatThrownBy(
            () -> ServerStack.create("t", tls("{\"enabled\": true}"), quic, "inbounds[0]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("inbounds[0].tls.certificate");
    ClientStack ok = ClientStack.create(tls("{\"enabled\": true}"), quic, "outbounds[0]");
    assertThat(ok.hasTls()).isTrue();
    assertThat(ok.hasTransport()).isTrue();
  }
}
