package dev.umbra.proxy.http;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.InjectableInbound;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.auth.Users;
import dev.umbra.tls.TlsServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/** HTTP proxy server: CONNECT and plain forwarding with keep-alive, basic auth. */
public final class HttpInbound implements InjectableInbound {
  private final String tag;
  private final TcpListener listener;
  private final HttpServer server;

  public HttpInbound(String tag, HttpInboundOptions o, AdapterContext context) {
    this.tag = tag;
    TcpListener.listenAddress(o.listen(), "");
    this.server = new HttpServer(tag, "http", new Users(o.users(), ""), context.router());
    TlsServer tls =
        o.tls() != null && o.tls().isEnabled() ? TlsServer.create(o.tls(), "tls") : null;
    this.listener =
        new TcpListener(
            tag,
            o.listen(),
            TcpListener.withDetour(
                o.listen(),
                context,
                socket ->
                    server.serve(
                        tls == null ? new SocketConn(socket) : handshake(tls, socket),
                        (InetSocketAddress) socket.getRemoteSocketAddress())));
  }

  /** The TLS handshake of an accepted socket, bounded by the handshake timeout. */
  public static Conn handshake(TlsServer tls, java.net.Socket socket) throws IOException {
    socket.setSoTimeout(HttpServer.HEAD_TIMEOUT_MILLIS);
    return tls.accept(new SocketConn(socket));
  }

  @Override
  public void inject(Conn conn, InetSocketAddress source) throws IOException {
    server.serve(conn, source);
  }

  @Override
  public void start(StartStage stage) throws IOException {
    if (stage == StartStage.START) {
      listener.start();
    }
  }

  public InetSocketAddress localAddress() {
    return listener.localAddress();
  }

  @Override
  public String type() {
    return "http";
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
