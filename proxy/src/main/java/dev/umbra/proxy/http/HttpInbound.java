package dev.umbra.proxy.http;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.InjectableInbound;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.auth.Users;
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
    this.listener =
        new TcpListener(
            tag,
            o.listen(),
            TcpListener.withDetour(
                o.listen(),
                context,
                socket ->
                    server.serve(
                        new SocketConn(socket),
                        (InetSocketAddress) socket.getRemoteSocketAddress())));
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
