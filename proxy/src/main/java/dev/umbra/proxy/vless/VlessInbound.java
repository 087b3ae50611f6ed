package dev.umbra.proxy.vless;

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
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.mux.MuxServer;
import dev.umbra.transport.InboundListener;
import dev.umbra.transport.ServerStack;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** VLESS server: TLS and transport, then the UUID; TCP, plain UDP and xudp, Vision or not. */
public final class VlessInbound implements InjectableInbound {
  private static final Logger LOG = LoggerFactory.getLogger(VlessInbound.class);
  static final int HANDSHAKE_TIMEOUT_MILLIS = 30_000;

  @SuppressWarnings("ArrayRecordComponent") // key material, never compared or printed
  private record Key(String name, byte[] uuid, String flow) {}

  private final String tag;
  private final Router router;
  private final MuxServer mux;
  private final ServerStack stack;
  private final List<Key> keys;
  private final InboundListener listener;

  public VlessInbound(String tag, VlessInboundOptions o, AdapterContext context) {
    this.tag = tag;
    this.router = context.router();
    this.mux = MuxServer.create(tag, o.multiplex());
    TcpListener.listenAddress(o.listen(), "");
    this.stack = ServerStack.create(tag, o.tls(), o.transport(), "");
    List<Key> ks = new ArrayList<>();
    for (VlessUser u : o.users()) {
      ks.add(
          new Key(
              u.name() == null ? "" : u.name(),
              Uuids.parse(u.uuid(), "users"),
              u.flow() == null ? "" : u.flow()));
    }
    this.keys = List.copyOf(ks);
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
    stack.serve(raw, accepted -> serveStream(accepted.conn(), source));
  }

  /** One stream: the whole connection, or one of the streams an HTTP/2 transport carries. */
  private void serveStream(Conn conn, InetSocketAddress source) throws IOException {
    conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
    DataInputStream in = new DataInputStream(conn.in());
    Key key;
    String user;
    Vless.Request request;
    try {
      int version = in.readUnsignedByte();
      byte[] uuid = new byte[16];
      in.readFully(uuid);
      key = version == Vless.VERSION ? match(uuid) : null;
      user = key == null ? null : key.name();
      if (key == null) {
        LOG.debug("inbound/{}: {}: unknown user or version {}", tag, source, version);
        Drain.andClose(conn);
        return;
      }
      request = Vless.readRest(in);
      checkFlow(key.flow(), request);
    } catch (IOException e) {
      LOG.debug("inbound/{}: {}: bad request: {}", tag, source, e.toString());
      conn.close();
      return;
    }
    conn.setReadTimeout(0);
    if (Flow.isVision(request.flow())) {
      try {
        // the response header goes out with the first padded block, as Xray sends it
        conn = VisionConn.server(conn, key.uuid(), Vless.response());
      } catch (ProtocolException e) {
        LOG.debug("inbound/{}: {}: {}", tag, source, e.getMessage());
        conn.close();
        return;
      }
    } else {
      conn.out().write(Vless.response());
    }
    LOG.debug("inbound/{}: {} user {} -> {}", tag, source, user, request.destination());
    if (request.command() == Vless.TCP) {
      MuxServer.route(
          mux,
          router,
          conn,
          Metadata.of(tag, "vless", Network.TCP, source, request.destination()).withUser(user));
    } else if (request.command() == Vless.MUX) {
      conn.out().flush();
      Xudp xudp = new Xudp(conn, Xudp.DESTINATION, false);
      Destination first;
      try {
        conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
        first = xudp.peekFirst();
        conn.setReadTimeout(0);
      } catch (IOException e) {
        LOG.debug("inbound/{}: {}: bad xudp session: {}", tag, source, e.toString());
        conn.close();
        return;
      }
      router.routePackets(
          xudp,
          Metadata.of(tag, "vless", Network.UDP, source, first).withUser(user),
          Handshake.NONE);
    } else {
      conn.out().flush();
      PacketConn packets = new LengthPacketConn(conn, request.destination());
      Destination first = request.destination();
      if (PacketAddr.isMagic(first)) {
        PacketAddr addressed = new PacketAddr(packets);
        try {
          conn.setReadTimeout(HANDSHAKE_TIMEOUT_MILLIS);
          first = addressed.peekFirst();
          conn.setReadTimeout(0);
        } catch (IOException e) {
          LOG.debug("inbound/{}: {}: bad packetaddr datagram: {}", tag, source, e.toString());
          conn.close();
          return;
        }
        packets = addressed;
      }
      router.routePackets(
          packets,
          Metadata.of(tag, "vless", Network.UDP, source, first).withUser(user),
          Handshake.NONE);
    }
  }

  private Key match(byte[] uuid) {
    Key found = null;
    for (Key k : keys) {
      if (MessageDigest.isEqual(uuid, k.uuid()) && found == null) {
        found = k;
      }
    }
    return found;
  }

  /**
   * As Xray (proxy/vless/inbound): a Vision user must use Vision for TCP, and only Vision users may
   * ask for it. With the flow, UDP comes as the Mux command (xudp, Vision-padded like TCP); the
   * plain UDP command with the flow is refused, as by Xray and sing-box.
   */
  static void checkFlow(String userFlow, Vless.Request r) throws ProtocolException {
    boolean asked = Flow.isVision(r.flow());
    if (!r.flow().isEmpty() && !asked) {
      throw new ProtocolException("unknown flow '" + r.flow() + "'");
    }
    if (asked && !Flow.isVision(userFlow)) {
      throw new ProtocolException("user is not allowed to use flow " + r.flow());
    }
    if (asked && r.command() == Vless.UDP) {
      throw new ProtocolException(r.flow() + " doesn't support UDP");
    }
    if (!asked && Flow.isVision(userFlow) && r.command() == Vless.TCP) {
      throw new ProtocolException("user must use flow " + Flow.VISION);
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
    return "vless";
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
