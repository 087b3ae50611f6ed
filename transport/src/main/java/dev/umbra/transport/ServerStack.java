package dev.umbra.transport;

import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Conn;
import dev.umbra.tls.TlsConn;
import dev.umbra.tls.TlsOptions;
import dev.umbra.tls.TlsServer;
import dev.umbra.transport.ws.WebSocketServer;
import java.io.IOException;

/** What an inbound runs on an accepted connection before its protocol: TLS, then the transport. */
public final class ServerStack {
  private final TlsServer tls;
  private final ServerTransport transport;

  /** An accepted stream and the protocol ALPN chose on its TLS layer ("" without TLS or ALPN). */
  public record Accepted(Conn conn, String alpn) {}

  private ServerStack(TlsServer tls, ServerTransport transport) {
    this.tls = tls;
    this.transport = transport;
  }

  /** Checks the options at load time; {@code path} is the inbound's JSON path. */
  public static ServerStack create(TlsOptions tls, TransportOptions transport, String path) {
    TlsServer t =
        tls != null && tls.isEnabled() ? TlsServer.create(tls, JsonPaths.field(path, "tls")) : null;
    ServerTransport tr =
        transport == null
            ? null
            : switch (transport.type()) {
              case "ws" -> new WebSocketServer(transport, false);
              case "httpupgrade" -> new WebSocketServer(transport, true);
              default -> throw new IllegalStateException("transport " + transport.type());
            };
    return new ServerStack(t, tr);
  }

  public boolean hasTls() {
    return tls != null;
  }

  /**
   * Runs the TLS and transport handshakes (the caller bounds them with a read timeout on {@code
   * raw}); closes {@code raw} on failure.
   */
  public Accepted accept(Conn raw) throws IOException {
    Conn c = raw;
    String alpn = "";
    try {
      if (tls != null) {
        TlsConn t = tls.accept(c);
        alpn = t.applicationProtocol();
        c = t;
      }
      if (transport != null) {
        c = transport.accept(c);
      }
      return new Accepted(c, alpn);
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }
}
