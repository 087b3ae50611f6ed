package dev.umbra.proxy.socks;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.InjectableInbound;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.auth.Users;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** SOCKS4, 4a and 5 server (CONNECT and UDP ASSOCIATE, username/password). */
public final class SocksInbound implements InjectableInbound {
  private final String tag;
  private final TcpListener listener;
  private final SocksServer server;

  public SocksInbound(String tag, SocksInboundOptions o, AdapterContext context) {
    this.tag = tag;
    TcpListener.listenAddress(o.listen(), "");
    this.server =
        new SocksServer(
            tag, "socks", new Users(o.users(), ""), context.router(), o.listen().udpIdleTimeout());
    this.listener =
        new TcpListener(tag, o.listen(), TcpListener.withDetour(o.listen(), context, this::handle));
  }

  private void handle(Socket socket) throws IOException {
    SocketConn conn = new SocketConn(socket);
    socket.setSoTimeout(SocksServer.HANDSHAKE_TIMEOUT_MILLIS);
    int version = conn.in().read();
    if (version < 0) {
      return;
    }
    server.serve(
        version,
        conn,
        (InetSocketAddress) socket.getRemoteSocketAddress(),
        socket.getLocalAddress());
  }

  @Override
  public void inject(Conn conn, InetSocketAddress source) throws IOException {
    conn.setReadTimeout(SocksServer.HANDSHAKE_TIMEOUT_MILLIS);
    int version = conn.in().read();
    if (version >= 0) {
      server.serve(version, conn, source, java.net.InetAddress.getLoopbackAddress());
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
    return "socks";
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
