package dev.umbra.transport;

import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Conn;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.grpc.GrpcClient;
import dev.umbra.transport.http.Http1Client;
import dev.umbra.transport.http.HttpH2Client;
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

  private ClientStack(TlsClient tls, ClientTransport transport, SessionClientTransport sessions) {
    this.tls = tls;
    this.transport = transport;
    this.sessions = sessions;
  }

  /** Checks the options at load time; {@code path} is the outbound's JSON path. */
  public static ClientStack create(TlsOptions tls, TransportOptions transport, String path) {
    boolean tlsOn = tls != null && tls.isEnabled();
    String type = transport == null ? "" : transport.type();
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
    return tls != null;
  }

  public boolean hasTransport() {
    return transport != null || sessions != null;
  }

  /**
   * Opens a stream to the server: dials with {@code dial} and runs TLS and the transport, or, for
   * HTTP/2 transports, opens a stream on the live session (dialing only when there is none).
   */
  public Conn connect(Dial dial, String server) throws IOException {
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
}
