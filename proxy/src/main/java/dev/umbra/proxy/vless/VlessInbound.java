package dev.umbra.proxy.vless;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.InjectableInbound;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Drain;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.SocketConn;
import dev.umbra.transport.ServerStack;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** VLESS server: TLS and transport, then the UUID; TCP and plain UDP. */
public final class VlessInbound implements InjectableInbound {
  private static final Logger LOG = LoggerFactory.getLogger(VlessInbound.class);
  static final int HANDSHAKE_TIMEOUT_MILLIS = 30_000;

  @SuppressWarnings("ArrayRecordComponent") // key material, never compared or printed
  private record Key(String name, byte[] uuid) {}

  private final String tag;
  private final Router router;
  private final ServerStack stack;
  private final List<Key> keys;
  private final TcpListener listener;

  public VlessInbound(String tag, VlessInboundOptions o, AdapterContext context) {
    this.tag = tag;
    this.router = context.router();
    TcpListener.listenAddress(o.listen(), "");
    this.stack = ServerStack.create(o.tls(), o.transport(), "");
    List<Key> ks = new ArrayList<>();
    for (VlessUser u : o.users()) {
      ks.add(new Key(u.name() == null ? "" : u.name(), Uuids.parse(u.uuid(), "users")));
    }
    this.keys = List.copyOf(ks);
    this.listener =
        new TcpListener(tag, o.listen(), TcpListener.withDetour(o.listen(), context, this::handle));
  }

  private void handle(Socket socket) throws IOException {
    serve(new SocketConn(socket), (InetSocketAddress) socket.getRemoteSocketAddress());
  }

  @Override
  public void inject(Conn conn, InetSocketAddress source) throws IOException {
    serve(conn, source);
  }

  private void serve(Conn raw, InetSocketAddress source) throws IOException {
    raw.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
    stack.serve(raw, accepted -> serveStream(accepted.conn(), source));
  }

  /** One stream: the whole connection, or one of the streams an HTTP/2 transport carries. */
  private void serveStream(Conn conn, InetSocketAddress source) throws IOException {
    conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
    DataInputStream in = new DataInputStream(conn.in());
    String user;
    Vless.Request request;
    try {
      int version = in.readUnsignedByte();
      byte[] uuid = new byte[16];
      in.readFully(uuid);
      user = version == Vless.VERSION ? match(uuid) : null;
      if (user == null) {
        LOG.debug("inbound/{}: {}: unknown user or version {}", tag, source, version);
        Drain.andClose(conn);
        return;
      }
      request = Vless.readRest(in);
    } catch (IOException e) {
      LOG.debug("inbound/{}: {}: bad request: {}", tag, source, e.toString());
      conn.close();
      return;
    }
    conn.setReadTimeout(0);
    conn.out().write(Vless.response());
    LOG.debug("inbound/{}: {} user {} -> {}", tag, source, user, request.destination());
    if (request.command() == Vless.TCP) {
      router.routeConnection(
          conn,
          Metadata.of(tag, "vless", Network.TCP, source, request.destination()).withUser(user),
          Handshake.NONE);
    } else {
      conn.out().flush();
      router.routePackets(
          new LengthPacketConn(conn, request.destination()),
          Metadata.of(tag, "vless", Network.UDP, source, request.destination()).withUser(user),
          Handshake.NONE);
    }
  }

  private String match(byte[] uuid) {
    String found = null;
    for (Key k : keys) {
      if (MessageDigest.isEqual(uuid, k.uuid()) && found == null) {
        found = k.name();
      }
    }
    return found;
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
    return "vless";
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
