package dev.umbra.proxy.trojan;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.InjectableInbound;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Drain;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PrefixedConn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.mux.MuxServer;
import dev.umbra.proxy.socks.SocksAddress;
import dev.umbra.transport.InboundListener;
import dev.umbra.transport.ServerStack;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trojan server: TLS (and a transport) first, then the password hash. Anything that is not a Trojan
 * request for a known user goes, bytes already read included, to the fallback web server for its
 * ALPN, so a probe sees that server's real answer.
 */
public final class TrojanInbound implements InjectableInbound {
  private static final Logger LOG = LoggerFactory.getLogger(TrojanInbound.class);

  /** Time a client has for TLS and the request; also how long a refused one is drained. */
  static final int HANDSHAKE_TIMEOUT_MILLIS = 30_000;

  @SuppressWarnings("ArrayRecordComponent") // key material, never compared or printed
  private record Key(String name, byte[] key) {}

  private final String tag;
  private final TrojanInboundOptions options;
  private final Router router;
  private final MuxServer mux;
  private final ServerStack stack;
  private final List<Key> keys;
  private final InboundListener listener;

  public TrojanInbound(String tag, TrojanInboundOptions o, AdapterContext context) {
    this.tag = tag;
    this.options = o;
    this.router = context.router();
    this.mux = MuxServer.create(tag, o.multiplex());
    TcpListener.listenAddress(o.listen(), "");
    this.stack = ServerStack.create(tag, o.tls(), o.transport(), "");
    this.keys =
        o.users().stream()
            .map(u -> new Key(u.name() == null ? "" : u.name(), Trojan.key(u.password())))
            .toList();
    this.listener = InboundListener.of(tag, o.listen(), context, stack, this::handle, this::serve);
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
    stack.serve(raw, accepted -> serveStream(accepted, source));
  }

  /** One stream: the whole connection, or one of the streams an HTTP/2 transport carries. */
  private void serveStream(ServerStack.Accepted accepted, InetSocketAddress source)
      throws IOException {
    Conn conn = accepted.conn();
    conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
    byte[] head = new byte[Trojan.KEY_LENGTH + 2];
    int n = 0;
    boolean plausible = true;
    while (n < head.length && plausible) {
      int r = conn.in().read(head, n, head.length - n);
      if (r < 0) {
        break;
      }
      for (int i = n; i < n + r; i++) {
        plausible &= Trojan.plausible(i, head[i]);
      }
      n += r;
    }
    String user = plausible && n == head.length ? match(head) : null;
    if (user == null) {
      fallback(conn, head, n, accepted.alpn(), source);
      return;
    }
    DataInputStream in = new DataInputStream(conn.in());
    int command;
    Destination destination;
    try {
      command = in.readUnsignedByte();
      destination = SocksAddress.read(in);
      if (in.readUnsignedByte() != '\r' || in.readUnsignedByte() != '\n') {
        throw new ProtocolException("request without CRLF after the address");
      }
    } catch (IOException e) {
      LOG.debug("inbound/{}: {}: bad request from user {}: {}", tag, source, user, e.toString());
      conn.close();
      return;
    }
    conn.setReadTimeout(0);
    LOG.debug("inbound/{}: {} user {} cmd {} -> {}", tag, source, user, command, destination);
    switch (command) {
      case Trojan.CONNECT ->
          MuxServer.route(
              mux,
              router,
              conn,
              Metadata.of(tag, "trojan", Network.TCP, source, destination).withUser(user));
      case Trojan.UDP_ASSOCIATE ->
          router.routePackets(
              new TrojanPacketConn(conn),
              Metadata.of(tag, "trojan", Network.UDP, source, destination).withUser(user),
              Handshake.NONE);
      default -> {
        LOG.debug("inbound/{}: {}: unknown command {}", tag, source, command);
        conn.close();
      }
    }
  }

  /** The user whose key matches; every key is compared in full so timing tells nothing. */
  private String match(byte[] head) {
    byte[] candidate = java.util.Arrays.copyOf(head, Trojan.KEY_LENGTH);
    String found = null;
    for (Key k : keys) {
      if (MessageDigest.isEqual(candidate, k.key()) && found == null) {
        found = k.name();
      }
    }
    return found;
  }

  private void fallback(Conn conn, byte[] head, int n, String alpn, InetSocketAddress source)
      throws IOException {
    FallbackServer f = options.fallbackForAlpnOrEmpty().get(alpn);
    if (f == null) {
      f = options.fallback();
    }
    if (f == null) {
      LOG.debug("inbound/{}: {}: not a Trojan request for a known user; no fallback", tag, source);
      Drain.andClose(conn);
      return;
    }
    LOG.debug("inbound/{}: {}: not Trojan, falling back to {}", tag, source, f.destination());
    conn.setReadTimeout(0);
    router.routeConnection(
        new PrefixedConn(conn, head, n),
        Metadata.of(tag, "trojan", Network.TCP, source, f.destination()),
        Handshake.NONE);
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
    return "trojan";
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public void close() throws IOException {
    listener.close();
    if (mux != null) {
      mux.close(); // its sessions run on accepted connections, which outlive the listener
    }
  }
}
