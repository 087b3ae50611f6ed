package dev.umbra.proxy.mixed;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.InjectableInbound;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.PrefixedConn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.auth.Users;
import dev.umbra.proxy.http.HttpInbound;
import dev.umbra.proxy.http.HttpInboundOptions;
import dev.umbra.proxy.http.HttpServer;
import dev.umbra.proxy.socks.Socks4;
import dev.umbra.proxy.socks.Socks5;
import dev.umbra.proxy.socks.SocksServer;
import dev.umbra.tls.TlsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/** SOCKS4/4a/5 and HTTP proxy on one port, told apart by the first byte. */
public final class MixedInbound implements InjectableInbound {
  private final String tag;
  private final TcpListener listener;
  private final SocksServer socks;
  private final HttpServer http;
  private final TlsServer tls;

  public MixedInbound(String tag, HttpInboundOptions o, AdapterContext context) {
    this.tag = tag;
    TcpListener.listenAddress(o.listen(), "");
    Users users = new Users(o.users(), "");
    this.socks =
        new SocksServer(tag, "mixed", users, context.router(), o.listen().udpIdleTimeout());
    this.http = new HttpServer(tag, "mixed", users, context.router());
    this.tls = o.tls() != null && o.tls().isEnabled() ? TlsServer.create(o.tls(), "tls") : null;
    this.listener =
        new TcpListener(tag, o.listen(), TcpListener.withDetour(o.listen(), context, this::handle));
  }

  private void handle(Socket socket) throws IOException {
    serve(
        tls == null ? new SocketConn(socket) : HttpInbound.handshake(tls, socket),
        (InetSocketAddress) socket.getRemoteSocketAddress(),
        socket.getLocalAddress());
  }

  @Override
  public void inject(Conn conn, InetSocketAddress source) throws IOException {
    serve(conn, source, InetAddress.getLoopbackAddress());
  }

  private void serve(Conn conn, InetSocketAddress source, InetAddress local) throws IOException {
    conn.setReadTimeout(SocksServer.HANDSHAKE_TIMEOUT_MILLIS);
    int first = conn.in().read();
    if (first < 0) {
      return;
    }
    if (first == Socks5.VERSION || first == Socks4.VERSION) {
      socks.serve(first, conn, source, local);
    } else {
      http.serve(new PrefixedConn(conn, new byte[] {(byte) first}, 1), source);
    }
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
    return "mixed";
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
