package dev.umbra.transport.quic;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConnSocket;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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

  /** Stands in for the server's address when a detour resolves its name. */
  private static final InetAddress BY_NAME = InetAddress.ofLiteral("0.0.0.0");

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
    QuicTls.checkVersionsAndSuites(tls, path);
    if (Boolean.TRUE.equals(tls.disableSni())) {
      throw new ConfigException(
          JsonPaths.field(path, "disable_sni"), "the quic transport always sends SNI");
    }
    return new QuicClient(
        a.isEmpty() ? DEFAULT_ALPN : a.getFirst(),
        tls.serverName(),
        TlsClient.trustManager(tls, path));
  }

  /**
   * Opens a stream to {@code server}; {@code defaultServerName} is the SNI when none is set. A new
   * QUIC connection sends its UDP through {@code dialer} (its bind address or {@code detour}), to
   * the server's addresses as the dialer resolves them, within its {@code connect_timeout}.
   */
  public QuicStreamConn open(Dialer dialer, Destination server, String defaultServerName)
      throws IOException {
    IOException last = null;
    // a reused connection may have died since its last stream: one retry on a fresh one
    for (int attempt = 0; attempt < 2; attempt++) {
      QuicClientConnection c = connection(dialer, server, defaultServerName);
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

  private synchronized QuicClientConnection connection(
      Dialer dialer, Destination server, String defaultName) throws IOException {
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
    String sni = serverName != null && !serverName.isEmpty() ? serverName : defaultName;
    long deadline = System.nanoTime() + dialer.connectTimeout().toNanos();
    IOException last = null;
    for (Destination peer : dialer.packetTargets(server)) {
      long left = deadline - System.nanoTime();
      if (left < 1_000_000) {
        break;
      }
      try {
        QuicClientConnection c =
            handshake(dialer, peer, server.port(), sni, Duration.ofNanos(left));
        // the server may not send anything for a long time: keep the idle timer from firing
        c.keepAlive((int) (IDLE.toSeconds() / 2));
        connection = c;
        LOG.debug("quic connection to {} ({}) open ({})", server, peer, c.getQuicVersion());
        return c;
      } catch (IOException e) {
        last = e;
      }
    }
    if (last == null) {
      last =
          new SocketTimeoutException(
              "quic connection to " + server + " timed out after " + dialer.connectTimeout());
    }
    throw last;
  }

  /**
   * One handshake with {@code peer}, its datagrams carried by a packet connection of the dialer.
   */
  private QuicClientConnection handshake(
      Dialer dialer, Destination peer, int port, String sni, Duration timeout) throws IOException {
    // the address kwik believes it talks to: the peer's, or a placeholder when a detour resolves
    InetAddress stamp = peer instanceof Destination.Ip ip ? ip.address() : BY_NAME;
    AtomicReference<PacketConnSocket> socket = new AtomicReference<>();
    QuicClientConnection c = null;
    try {
      c =
          QuicClientConnection.newBuilder()
              .host(sni)
              .port(port)
              // the packets go to this address while the TLS server name stays sni
              .proxy(stamp.getHostAddress())
              .socketFactory(ignored -> {
                PacketConnSocket s =
                    PacketConnSocket.open(
                        dialer::listenPacket, peer, new InetSocketAddress(stamp, port));
                socket.set(s);
                return s;
              })
              .applicationProtocol(alpn)
              .connectTimeout(timeout)
              .maxIdleTimeout(IDLE)
              .customTrustManager(trust)
              .logger(new KwikLog("client"))
              .build();
      c.connect();
      return c;
    } catch (IOException | RuntimeException e) {
      if (c != null) {
        c.close();
      }
      PacketConnSocket s = socket.get();
      if (s != null) {
        s.close();
      }
      throw new IOException("quic connection to " + peer + " failed: " + e.getMessage(), e);
    }
  }

  private synchronized void drop(QuicClientConnection c) {
    if (connection == c) {
      connection = null;
    }
    c.close();
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
