package dev.umbra.proxy.mixed;

import dev.umbra.core.adapter.Inbound;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.PrefixedConn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.auth.Users;
import dev.umbra.proxy.http.HttpInboundOptions;
import dev.umbra.proxy.http.HttpServer;
import dev.umbra.proxy.socks.Socks4;
import dev.umbra.proxy.socks.Socks5;
import dev.umbra.proxy.socks.SocksServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** SOCKS4/4a/5 and HTTP proxy on one port, told apart by the first byte. */
public final class MixedInbound implements Inbound {
  private final String tag;
  private final TcpListener listener;
  private final SocksServer socks;
  private final HttpServer http;

  public MixedInbound(String tag, HttpInboundOptions o, Router router) {
    this.tag = tag;
    TcpListener.listenAddress(o.listen(), "");
    Users users = new Users(o.users(), "");
    this.socks = new SocksServer(tag, "mixed", users, router);
    this.http = new HttpServer(tag, "mixed", users, router);
    this.listener = new TcpListener(tag, o.listen(), this::handle);
  }

  private void handle(Socket socket) throws IOException {
    SocketConn conn = new SocketConn(socket);
    socket.setSoTimeout(SocksServer.HANDSHAKE_TIMEOUT_MILLIS);
    int first = conn.in().read();
    if (first < 0) {
      return;
    }
    InetSocketAddress source = (InetSocketAddress) socket.getRemoteSocketAddress();
    if (first == Socks5.VERSION || first == Socks4.VERSION) {
      socks.serve(first, conn, source, socket.getLocalAddress());
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
