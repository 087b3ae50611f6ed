package dev.umbra.transport;

import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Conn;
import dev.umbra.tls.TlsConn;
import dev.umbra.tls.TlsOptions;
import dev.umbra.tls.TlsServer;
import dev.umbra.transport.grpc.GrpcServer;
import dev.umbra.transport.http.HttpServer;
import dev.umbra.transport.quic.QuicServer;
import dev.umbra.transport.ws.WebSocketServer;
import java.io.IOException;
import java.util.List;

/** What an inbound runs on an accepted connection before its protocol: TLS, then the transport. */
public final class ServerStack {
  private final TlsServer tls;
  private final ServerTransport transport;
  private final SessionServerTransport sessions;
  private final QuicServer quic;

  /** An accepted stream and the protocol ALPN chose on its TLS layer ("" without TLS or ALPN). */
  public record Accepted(Conn conn, String alpn) {}

  private ServerStack(TlsServer tls, ServerTransport transport, SessionServerTransport sessions) {
    this(tls, transport, sessions, null);
  }

  private ServerStack(
      TlsServer tls, ServerTransport transport, SessionServerTransport sessions, QuicServer quic) {
    this.tls = tls;
    this.transport = transport;
    this.sessions = sessions;
    this.quic = quic;
  }

  /**
   * Checks the options at load time, for an inbound whose {@code tag} names its QUIC listener;
   * {@code path} is the inbound's JSON path.
   */
  public static ServerStack create(
      String tag, TlsOptions tls, TransportOptions transport, String path) {
    if (transport != null && transport.type().equals("quic")) {
      // QUIC carries its own TLS 1.3 handshake: streams arrive with TLS and transport done
      if (tls == null || !tls.isEnabled()) {
        throw new ConfigException(
            JsonPaths.field(path, "tls"), "the quic transport requires tls (enabled: true)");
      }
      return new ServerStack(
          null, null, null, QuicServer.create(tag, tls, JsonPaths.field(path, "tls")));
    }
    return create(tls, transport, path);
  }

  /** The QUIC listener of the quic transport, or null when the inbound accepts TCP. */
  QuicServer quic() {
    return quic;
  }

  /** Checks the options at load time; {@code path} is the inbound's JSON path. */
  public static ServerStack create(TlsOptions tls, TransportOptions transport, String path) {
    if (transport != null && transport.type().equals("quic")) {
      return create("", tls, transport, path);
    }
    boolean tlsOn = tls != null && tls.isEnabled();
    String type = transport == null ? "" : transport.type();
    TlsOptions effective =
        !tlsOn
            ? tls
            : switch (type) {
              case "http" -> Alpn.server(tls, List.of("h2", "http/1.1"));
              case "grpc" -> Alpn.server(tls, List.of("h2"));
              default -> tls;
            };
    TlsServer t = tlsOn ? TlsServer.create(effective, JsonPaths.field(path, "tls")) : null;
    return switch (type) {
      case "" -> new ServerStack(t, null, null);
      case "ws" -> new ServerStack(t, new WebSocketServer(transport, false), null);
      case "httpupgrade" -> new ServerStack(t, new WebSocketServer(transport, true), null);
      case "http" -> new ServerStack(t, null, new HttpServer(transport));
      case "grpc" -> new ServerStack(t, null, new GrpcServer(transport));
      default -> throw new IllegalStateException("transport " + type);
    };
  }

  public boolean hasTls() {
    return tls != null || quic != null;
  }

  /**
   * Runs the TLS and transport handshakes (the caller bounds them with a read timeout on {@code
   * raw}); closes {@code raw} on failure.
   */
  public Accepted accept(Conn raw) throws IOException {
    if (sessions != null) {
      raw.close();
      throw new IllegalStateException("a multi-stream transport is served with serve()");
    }
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

  /**
   * Runs TLS and the transport on {@code raw} and hands every stream it carries to {@code handler}:
   * one for plain, ws and httpupgrade carriers (on this thread), any number for HTTP/2 ones (each
   * on its own thread; this returns when the carrier closes). Closes {@code raw} on failure.
   */
  public void serve(Conn raw, StreamHandler handler) throws IOException {
    if (sessions == null) {
      handler.handle(accept(raw));
      return;
    }
    Conn c = raw;
    try {
      String alpn = "";
      if (tls != null) {
        TlsConn t = tls.accept(c);
        alpn = t.applicationProtocol();
        c = t;
      }
      sessions.serve(c, alpn, handler);
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }
}
