package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.InjectableInbound;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Router;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.listener.TcpListener;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.SocketConn;
import dev.umbra.proxy.mux.MuxServer;
import dev.umbra.transport.StreamConn;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shadowsocks server: AEAD (single key or users) and none, over TCP and UDP. */
public final class ShadowsocksInbound implements InjectableInbound {
  private static final Logger LOG = LoggerFactory.getLogger(ShadowsocksInbound.class);

  /**
   * Time a client has to complete its request; also how long a failed one is held open and drained,
   * so that every failure looks the same from outside.
   */
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  /** Salts per replay-filter generation (two generations are kept). */
  static final int SALT_FILTER_CAPACITY = 1 << 16;

  private final String tag;
  private final ShadowsocksInboundOptions options;
  private final Router router;
  private final MuxServer mux;
  private final Set<Network> networks;
  private final ServerHandshake handshake;
  private final TcpListener tcp;
  private final Method method;
  private final List<AeadServerHandshake.Key> keys;
  private final SaltFilter saltFilter;
  private final Ss2022Keys keys2022;
  private UdpServer udp;

  public ShadowsocksInbound(String tag, ShadowsocksInboundOptions o, AdapterContext context) {
    this.tag = tag;
    this.options = o;
    this.router = context.router();
    this.mux = MuxServer.create(tag, o.multiplex());
    this.networks = Options.networks("", o.network());
    this.method = o.methodValue();
    TcpListener.listenAddress(o.listen(), "");
    List<AeadServerHandshake.Key> ks = new ArrayList<>();
    if (method instanceof Method.Aead2022 || o.usersOrEmpty().isEmpty()) {
      ks.add(new AeadServerHandshake.Key(null, Options.key(method, o.password(), "password")));
    } else {
      for (ShadowsocksUser u : o.usersOrEmpty()) {
        ks.add(new AeadServerHandshake.Key(u.name(), Options.key(method, u.password(), "users")));
      }
    }
    this.keys = List.copyOf(ks);
    this.saltFilter =
        new SaltFilter(
            SALT_FILTER_CAPACITY, method instanceof Method.Aead2022 ? Ss2022.SALT_WINDOW_NANOS : 0);
    this.keys2022 = method instanceof Method.Aead2022 ? keys2022(o, method) : null;
    this.handshake =
        switch (method) {
          case Method.None n -> new NoneServerHandshake();
          case Method.Aead a -> new AeadServerHandshake(a, keys, saltFilter);
          case Method.Aead2022 a when !o.destinationsOrEmpty().isEmpty() ->
              new Relay2022Handshake(a, keys2022.psk(), hops(o, a));
          case Method.Aead2022 a -> new Aead2022ServerHandshake(a, keys2022, saltFilter);
        };
    this.tcp =
        networks.contains(Network.TCP)
            ? new TcpListener(
                tag, o.listen(), TcpListener.withDetour(o.listen(), context, this::handle))
            : null;
  }

  private static Ss2022Keys keys2022(ShadowsocksInboundOptions o, Method method) {
    List<Ss2022Keys.User> users = new ArrayList<>();
    for (ShadowsocksUser u : o.usersOrEmpty()) {
      users.add(new Ss2022Keys.User(u.name(), Options.key(method, u.password(), "users")));
    }
    return Ss2022Keys.of(Options.key(method, o.password(), "password"), users);
  }

  private static List<Relay2022Handshake.Hop> hops(
      ShadowsocksInboundOptions o, Method.Aead2022 method) {
    List<Relay2022Handshake.Hop> hops = new ArrayList<>();
    for (ShadowsocksDestination d : o.destinationsOrEmpty()) {
      hops.add(
          new Relay2022Handshake.Hop(
              d.name(),
              dev.umbra.core.net.Destination.of(d.server(), d.serverPort()),
              Options.key(method, d.password(), "destinations")));
    }
    return hops;
  }

  private void handle(Socket socket) throws IOException {
    serve(new SocketConn(socket), (InetSocketAddress) socket.getRemoteSocketAddress());
  }

  @Override
  public void inject(Conn conn, InetSocketAddress source) throws IOException {
    serve(conn, source);
  }

  private void serve(Conn conn, InetSocketAddress source) throws IOException {
    DeadlineInputStream in =
        new DeadlineInputStream(conn, System.nanoTime() + HANDSHAKE_TIMEOUT.toNanos());
    ServerRequest request;
    try {
      request = handshake.accept(in, conn.out());
    } catch (ShadowsocksException | java.io.EOFException | java.net.SocketTimeoutException e) {
      // Same for every failure: no reply, no early close; drain until the client gives up.
      LOG.debug("inbound/{}: {}: rejected: {}", tag, source, e.getMessage());
      in.drainUntilDeadline();
      conn.close();
      return;
    }
    in.disarm();
    Metadata m = Metadata.of(tag, "shadowsocks", Network.TCP, source, request.destination());
    if (request.user() != null) {
      m = m.withUser(request.user());
    }
    StreamConn session = new StreamConn(conn, request.in(), request.out());
    int uot = UdpOverTcp.version(request.destination());
    if (uot != 0) {
      udpOverTcp(session, uot, m, source);
      return;
    }
    LOG.debug("inbound/{}: {} -> {}", tag, source, request.destination());
    MuxServer.route(mux, router, session, m);
  }

  /**
   * A sing-box UDP-over-TCP stream: its datagrams are routed as a UDP association. It arrives over
   * TCP, so (as in sing-box) {@code network: tcp} does not refuse it.
   */
  private void udpOverTcp(StreamConn session, int version, Metadata m, InetSocketAddress source)
      throws IOException {
    Destination destination = m.destination();
    Destination fixed = null;
    if (version == 2) {
      UdpOverTcp.Request r;
      try {
        session.setReadTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
        r = UdpOverTcp.Request.read(new java.io.DataInputStream(session.in()));
        session.setReadTimeout(0);
      } catch (IOException e) {
        LOG.debug("inbound/{}: {}: bad UDP-over-TCP request: {}", tag, source, e.getMessage());
        session.close();
        return;
      }
      destination = r.destination();
      fixed = r.connect() ? destination : null;
    }
    Metadata um =
        new Metadata(
            m.inbound(),
            m.inboundType(),
            Network.UDP,
            m.source(),
            destination,
            m.user(),
            null,
            null,
            java.util.List.of());
    LOG.debug("inbound/{}: {} -> UDP over TCP v{} {}", tag, source, version, destination);
    try (UotPacketConn packets =
        new UotPacketConn(session, fixed, options.listen().udpIdleTimeout())) {
      router.routePackets(packets, um, Handshake.NONE);
    }
  }

  @Override
  public void start(StartStage stage) throws IOException {
    if (stage != StartStage.START) {
      return;
    }
    if (tcp != null) {
      tcp.start();
    }
    if (networks.contains(Network.UDP)) {
      InetAddress address = TcpListener.listenAddress(options.listen(), "");
      int port = options.listen().listenPort() == null ? 0 : options.listen().listenPort();
      if (tcp != null && port == 0) {
        port = tcp.localAddress().getPort();
      }
      udp =
          new UdpServer(
              tag,
              new InetSocketAddress(address, port),
              router,
              UdpCodecs.server(method, keys, keys2022),
              options.listen().udpIdleTimeout());
      udp.start();
    }
  }

  /** The TCP listening address (the UDP one for a UDP-only inbound). */
  public InetSocketAddress localAddress() {
    return tcp != null ? tcp.localAddress() : udp.localAddress();
  }

  @Override
  public String type() {
    return "shadowsocks";
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public void close() throws IOException {
    if (tcp != null) {
      tcp.close();
    }
    if (udp != null) {
      udp.close();
    }
    if (mux != null) {
      mux.close(); // its sessions run on accepted connections, which outlive the listener
    }
  }
}
