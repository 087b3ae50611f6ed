package dev.umbra.transport;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.grpc.GrpcClient;
import dev.umbra.transport.http.Http1Client;
import dev.umbra.transport.http.HttpH2Client;
import dev.umbra.transport.quic.QuicClient;
import dev.umbra.transport.ws.WebSocketClient;
import java.io.IOException;

/**
 * What an outbound puts between its TCP connection and its protocol: TLS if enabled, then the V2Ray
 * transport if any ({@code proto(transport(tls(tcp)))}).
 */
public final class ClientStack {
  private final TlsClient tls;
  private final ClientTransport transport;
  private final SessionClientTransport sessions;
  private final QuicClient quic;

  private ClientStack(TlsClient tls, ClientTransport transport, SessionClientTransport sessions) {
    this.tls = tls;
    this.transport = transport;
    this.sessions = sessions;
    this.quic = null;
  }

  private ClientStack(QuicClient quic) {
    this.tls = null;
    this.transport = null;
    this.sessions = null;
    this.quic = quic;
  }

  /** Checks the options at load time; {@code path} is the outbound's JSON path. */
  public static ClientStack create(TlsOptions tls, TransportOptions transport, String path) {
    boolean tlsOn = tls != null && tls.isEnabled();
    String type = transport == null ? "" : transport.type();
    if (type.equals("quic")) {
      // QUIC carries its own TLS 1.3 handshake, configured by the same tls block
      if (!tlsOn) {
        throw new ConfigException(
            JsonPaths.field(path, "tls"), "the quic transport requires tls (enabled: true)");
      }
      return new ClientStack(QuicClient.create(tls, JsonPaths.field(path, "tls")));
    }
    boolean h2 = type.equals("grpc") || (type.equals("http") && tlsOn);
    TlsClient t =
        tlsOn ? TlsClient.create(h2 ? Alpn.client(tls) : tls, JsonPaths.field(path, "tls")) : null;
    return switch (type) {
      case "" -> new ClientStack(t, null, null);
      case "ws" -> new ClientStack(t, new WebSocketClient(transport, false), null);
      case "httpupgrade" -> new ClientStack(t, new WebSocketClient(transport, true), null);
      case "http" ->
          tlsOn
              ? new ClientStack(t, null, new HttpH2Client(transport))
              : new ClientStack(t, new Http1Client(transport), null);
      case "grpc" -> new ClientStack(t, null, new GrpcClient(transport, tls));
      default -> throw new IllegalStateException("transport " + type);
    };
  }

  public boolean hasTls() {
    return tls != null || quic != null;
  }

  public boolean hasTransport() {
    return transport != null || sessions != null || quic != null;
  }

  /**
   * Opens a stream to {@code server}: over the quic transport a stream on the live QUIC connection
   * (whose UDP goes through {@code dialer}), otherwise as {@link #connect(Dial, String)} with a TCP
   * dial of {@code dialer}.
   */
  public Conn connect(Dialer dialer, Destination server, String serverName) throws IOException {
    if (quic != null) {
      return quic.open(dialer, server, serverName);
    }
    return connect(() -> dialer.dial(server), serverName);
  }

  /**
   * Opens a stream to the server: dials with {@code dial} and runs TLS and the transport, or, for
   * HTTP/2 transports, opens a stream on the live session (dialing only when there is none).
   */
  public Conn connect(Dial dial, String server) throws IOException {
    requireStream();
    if (sessions != null) {
      return sessions.open(() -> withTls(dial.dial(), server), server);
    }
    return connect(dial.dial(), server);
  }

  private Conn withTls(Conn raw, String server) throws IOException {
    if (tls == null) {
      return raw;
    }
    try {
      return tls.wrap(raw, server);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /**
   * Runs TLS and the transport's handshake over {@code raw} (closed on failure); {@code server} is
   * the configured server host (default SNI and Host).
   */
  public Conn connect(Conn raw, String server) throws IOException {
    if (quic != null) {
      raw.close();
    }
    requireStream();
    if (sessions != null) {
      // one stream over a carrier of its own (callers that can redial use connect(Dial, ...))
      return sessions.open(() -> withTls(raw, server), server);
    }
    Conn c = raw;
    try {
      if (tls != null) {
        c = tls.wrap(c, server);
      }
      if (transport != null) {
        c = transport.connect(c, server);
      }
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * Closes what outlives a single connection: the shared HTTP/2 or gRPC session, the QUIC
   * connection. Their streams fail; later connects fail.
   */
  public void close() {
    if (sessions != null) {
      sessions.close();
    }
    if (quic != null) {
      quic.close();
    }
  }

  private void requireStream() throws IOException {
    if (quic != null) {
      throw new IOException(
          "the quic transport dials its own UDP: use connect(dialer, server, name)");
    }
  }
}
