package dev.umbra.transport.quic;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Destination;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * The client side of the V2Ray {@code quic} transport (sing-box {@code v2rayquic}, v2ray's {@code
 * quic} network): one QUIC connection to the server, reused for every proxied connection, each of
 * them one client-opened bidirectional stream. A dead connection is replaced on the next dial. TLS
 * comes from the outbound's {@code tls} block; the ALPN is {@code h3} unless one is set.
 */
public final class QuicClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuicClient.class);
  static final String DEFAULT_ALPN = "h3";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration IDLE = Duration.ofSeconds(30);

  private final String alpn;
  private final String serverName;
  private final X509TrustManager trust;
  private QuicClientConnection connection;
  private boolean closed;

  private QuicClient(String alpn, String serverName, X509TrustManager trust) {
    this.alpn = alpn;
    this.serverName = serverName;
    this.trust = trust;
  }

  /** Checks the outbound's TLS block at load time ({@code path} is the tls object's JSON path). */
  public static QuicClient create(TlsOptions tls, String path) {
    List<String> a = tls.alpn() == null ? List.of() : tls.alpn();
    if (a.size() > 1) {
      // kwik offers exactly one application protocol
      throw new ConfigException(
          JsonPaths.field(path, "alpn"), "the quic transport offers one ALPN; got " + a);
    }
    if (tls.clientCertificate() != null
        || tls.clientCertificatePath() != null
        || tls.clientKey() != null
        || tls.clientKeyPath() != null) {
      throw new ConfigException(
          JsonPaths.field(path, "client_certificate"),
          "client certificates are not supported with the quic transport yet");
    }
    for (String[] f :
        new String[][] {
          {"min_version", tls.minVersion()},
          {"max_version", tls.maxVersion()},
        }) {
      if (f[1] != null && !f[1].equals("1.3")) {
        throw new ConfigException(
            JsonPaths.field(path, f[0]), "QUIC always runs TLS 1.3; got '" + f[1] + "'");
      }
    }
    if (tls.cipherSuites() != null) {
      throw new ConfigException(
          JsonPaths.field(path, "cipher_suites"),
          "cipher_suites is not supported with the quic transport yet");
    }
    if (Boolean.TRUE.equals(tls.disableSni())) {
      throw new ConfigException(
          JsonPaths.field(path, "disable_sni"), "the quic transport always sends SNI");
    }
    return new QuicClient(
        a.isEmpty() ? DEFAULT_ALPN : a.getFirst(),
        tls.serverName(),
        TlsClient.trustManager(tls, path));
  }

  /** Opens a stream to {@code server}; {@code defaultServerName} is the SNI when none is set. */
  public QuicStreamConn open(Destination server, String defaultServerName) throws IOException {
    IOException last = null;
    // a reused connection may have died since its last stream: one retry on a fresh one
    for (int attempt = 0; attempt < 2; attempt++) {
      QuicClientConnection c = connection(server, defaultServerName);
      try {
        QuicStream s = c.createStream(true);
        return new QuicStreamConn(s, c.getLocalAddress(), c.getServerAddress(), () -> {});
      } catch (IOException | RuntimeException e) {
        drop(c);
        last = e instanceof IOException io ? io : new IOException(e.toString(), e);
      }
    }
    throw last;
  }

  private synchronized QuicClientConnection connection(Destination server, String defaultName)
      throws IOException {
    if (closed) {
      throw new IOException("quic transport closed");
    }
    if (connection != null && connection.isConnected()) {
      return connection;
    }
    if (connection != null) {
      connection.close();
      connection = null;
    }
    String address = server.host();
    String sni = serverName != null && !serverName.isEmpty() ? serverName : defaultName;
    QuicClientConnection.Builder b =
        QuicClientConnection.newBuilder()
            .host(sni)
            .port(server.port())
            .applicationProtocol(alpn)
            .connectTimeout(CONNECT_TIMEOUT)
            .maxIdleTimeout(IDLE)
            .customTrustManager(trust)
            .logger(new KwikLog("client"));
    if (!sni.equals(address)) {
      // the packets go to the server address while the TLS server name stays sni
      b.proxy(address);
    }
    QuicClientConnection c = b.build();
    try {
      c.connect();
    } catch (IOException | RuntimeException e) {
      c.close();
      throw new IOException("quic connection to " + server + " failed: " + e.getMessage(), e);
    }
    // the server may not send anything for a long time: keep the idle timer from firing
    c.keepAlive((int) (IDLE.toSeconds() / 2));
    connection = c;
    LOG.debug("quic connection to {} open ({})", server, c.getQuicVersion());
    return c;
  }

  private synchronized void drop(QuicClientConnection c) {
    if (connection == c) {
      connection = null;
    }
    c.close();
  }

  /** The address of the live connection, for tests. */
  synchronized InetSocketAddress localAddress() {
    return connection == null ? null : connection.getLocalAddress();
  }

  @Override
  public void close() {
    QuicClientConnection c;
    synchronized (this) {
      closed = true;
      c = connection;
      connection = null;
    }
    if (c != null) {
      c.close();
    }
  }
}
