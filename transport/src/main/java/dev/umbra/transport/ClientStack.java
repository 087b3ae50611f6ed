package dev.umbra.transport;

import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Conn;
import dev.umbra.tls.TlsClient;
import dev.umbra.tls.TlsOptions;
import dev.umbra.transport.ws.WebSocketClient;
import java.io.IOException;

/**
 * What an outbound puts between its TCP connection and its protocol: TLS if enabled, then the V2Ray
 * transport if any ({@code proto(transport(tls(tcp)))}).
 */
public final class ClientStack {
  private final TlsClient tls;
  private final ClientTransport transport;

  private ClientStack(TlsClient tls, ClientTransport transport) {
    this.tls = tls;
    this.transport = transport;
  }

  /** Checks the options at load time; {@code path} is the outbound's JSON path. */
  public static ClientStack create(TlsOptions tls, TransportOptions transport, String path) {
    TlsClient t =
        tls != null && tls.isEnabled() ? TlsClient.create(tls, JsonPaths.field(path, "tls")) : null;
    ClientTransport tr = transport == null ? null : clientTransport(transport);
    return new ClientStack(t, tr);
  }

  private static ClientTransport clientTransport(TransportOptions o) {
    return switch (o.type()) {
      case "ws" -> new WebSocketClient(o, false);
      case "httpupgrade" -> new WebSocketClient(o, true);
      default -> throw new IllegalStateException("transport " + o.type());
    };
  }

  public boolean hasTls() {
    return tls != null;
  }

  public boolean hasTransport() {
    return transport != null;
  }

  /**
   * Runs TLS and the transport's handshake over {@code raw} (closed on failure); {@code server} is
   * the configured server host (default SNI and Host).
   */
  public Conn connect(Conn raw, String server) throws IOException {
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
