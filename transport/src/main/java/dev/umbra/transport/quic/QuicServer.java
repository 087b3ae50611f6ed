package dev.umbra.transport.quic;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Conn;
import dev.umbra.tls.ServerKeys;
import dev.umbra.tls.TlsOptions;
import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.interfaces.ECKey;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnection;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * The server side of the V2Ray {@code quic} transport: a QUIC listener on a UDP socket whose every
 * client-opened bidirectional stream is one proxied connection, handed to the inbound on its own
 * virtual thread. TLS (certificate, key, ALPN; {@code h3} when none is set) comes from the
 * inbound's {@code tls} block.
 */
public final class QuicServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(QuicServer.class);

  /** Serves one stream; blocks until it is done. */
  @FunctionalInterface
  public interface Handler {
    void handle(Conn stream, InetSocketAddress source) throws IOException;
  }

  /** Streams a client may have open at once on one connection (quic-go's default too). */
  static final int MAX_STREAMS = 100;

  static final int IDLE_SECONDS = 30;
  static final long STREAM_BUFFER = 1 << 20;
  static final long CONNECTION_BUFFER = 8 << 20;

  private final String tag;
  private final KeyStore keys;
  private final String ecCurve;
  private final List<String> alpn;
  private final java.util.Set<QuicConnection> connections =
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile DatagramSocket socket;
  private volatile ServerConnector connector;

  private QuicServer(String tag, KeyStore keys, String ecCurve, List<String> alpn) {
    this.tag = tag;
    this.keys = keys;
    this.ecCurve = ecCurve;
    this.alpn = alpn;
  }

  /** Checks the inbound's TLS block at load time ({@code path} is the tls object's JSON path). */
  public static QuicServer create(String tag, TlsOptions tls, String path) {
    QuicTls.checkVersionsAndSuites(tls, path);
    if (tls.clientAuthentication() != null || tls.clientCertificatePublicKeySha256() != null) {
      throw new ConfigException(
          JsonPaths.field(path, "client_authentication"),
          "client authentication is not supported with the quic transport yet");
    }
    KeyStore ks = ServerKeys.keyStore(tls, path);
    String curve;
    try {
      curve =
          ks.getCertificate(ServerKeys.ALIAS).getPublicKey() instanceof ECKey ec
              ? switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> "secp256r1";
                case 384 -> "secp384r1";
                case 521 -> "secp521r1";
                default ->
                    throw new ConfigException(
                        JsonPaths.field(path, "key"), "unsupported EC curve for QUIC");
              }
              : null;
    } catch (KeyStoreException e) {
      throw new ConfigException(path, "cannot read the key store: " + e.getMessage());
    }
    List<String> a = tls.alpn() == null || tls.alpn().isEmpty() ? List.of("h3") : tls.alpn();
    return new QuicServer(tag, ks, curve, List.copyOf(a));
  }

  /** Binds {@code address} (UDP) and starts accepting. */
  public void start(InetSocketAddress address, Handler handler) throws IOException {
    DatagramSocket s = new DatagramSocket(null);
    try {
      s.setReuseAddress(true);
      s.bind(address);
    } catch (IOException e) {
      s.close();
      throw new IOException(
          "inbound '" + tag + "': cannot listen on udp " + address + ": " + e.getMessage(), e);
    }
    ServerConnector c;
    try {
      ServerConnector.Builder b =
          ServerConnector.builder()
              .withSocket(s)
              .withLogger(new KwikLog("server"))
              .withConfiguration(
                  ServerConnectionConfig.builder()
                      .maxIdleTimeoutInSeconds(IDLE_SECONDS)
                      .maxOpenPeerInitiatedBidirectionalStreams(MAX_STREAMS)
                      .maxOpenPeerInitiatedUnidirectionalStreams(0)
                      .maxBidirectionalStreamBufferSize(STREAM_BUFFER)
                      .maxConnectionBufferSize(CONNECTION_BUFFER)
                      .build());
      b =
          ecCurve == null
              ? b.withKeyStore(keys, ServerKeys.ALIAS, new char[0])
              : b.withKeyStore(keys, ServerKeys.ALIAS, new char[0], ecCurve);
      c = b.build();
    } catch (java.security.cert.CertificateException | RuntimeException e) {
      s.close();
      throw new IOException("inbound '" + tag + "': cannot start QUIC: " + e.getMessage(), e);
    }
    for (String p : alpn) {
      c.registerApplicationProtocol(p, new Factory(handler, s));
    }
    c.start();
    socket = s;
    connector = c;
    LOG.info("inbound/{}: listening on quic {} (alpn {})", tag, s.getLocalSocketAddress(), alpn);
  }

  private final class Factory implements ApplicationProtocolConnectionFactory {
    private final Handler handler;
    private final DatagramSocket socket;

    Factory(Handler handler, DatagramSocket socket) {
      this.handler = handler;
      this.socket = socket;
    }

    @Override
    public ApplicationProtocolConnection createConnection(String protocol, QuicConnection qc) {
      InetSocketAddress source =
          qc instanceof ServerConnection sc
              ? sc.getInitialRemoteAddress()
              : new InetSocketAddress(0);
      LOG.debug("inbound/{}: quic connection from {}", tag, source);
      connections.add(qc);
      qc.setConnectionListener(event -> connections.remove(qc));
      return new ApplicationProtocolConnection() {
        @Override
        public void acceptPeerInitiatedStream(QuicStream stream) {
          if (!stream.isBidirectional()) {
            stream.abortReading(QuicStreamConn.CANCELLED);
            return;
          }
          Thread.ofVirtual().name("quic-" + tag).start(() -> serve(stream, source));
        }
      };
    }

    private void serve(QuicStream stream, InetSocketAddress source) {
      QuicStreamConn conn =
          new QuicStreamConn(stream, socket.getLocalSocketAddress(), source, () -> {});
      try {
        handler.handle(conn, source);
      } catch (IOException | RuntimeException e) {
        LOG.debug("inbound/{}: {}: {}", tag, source, e.toString());
      } finally {
        conn.close();
      }
    }

    @Override
    public int maxConcurrentPeerInitiatedBidirectionalStreams() {
      return MAX_STREAMS;
    }
  }

  public InetSocketAddress localAddress() {
    DatagramSocket s = socket;
    return s == null ? null : (InetSocketAddress) s.getLocalSocketAddress();
  }

  /**
   * Stops listening and closes every connection with CONNECTION_CLOSE, so clients dial anew at once
   * instead of waiting for their idle timeout.
   */
  @Override
  public void close() {
    List<Thread> closing = new java.util.ArrayList<>();
    for (QuicConnection qc : connections) {
      closing.add(
          Thread.ofVirtual().start(() -> qc.closeAndWait(java.time.Duration.ofMillis(100))));
    }
    for (Thread t : closing) {
      try {
        t.join(java.time.Duration.ofSeconds(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    connections.clear();
    ServerConnector c = connector;
    if (c != null) {
      c.close();
    }
    DatagramSocket s = socket;
    if (s != null) {
      s.close();
    }
  }
}
