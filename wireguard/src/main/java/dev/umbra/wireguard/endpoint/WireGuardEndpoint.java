package dev.umbra.wireguard.endpoint;

import dev.umbra.core.adapter.AdapterContext;
import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Endpoint;
import dev.umbra.core.adapter.Handshake;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.StartStage;
import dev.umbra.core.config.ConfigException;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.config.JsonPaths;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.netstack.IpPrefix;
import dev.umbra.netstack.NetStack;
import dev.umbra.netstack.StackSettings;
import dev.umbra.netstack.TcpAcceptor;
import dev.umbra.netstack.TcpConn;
import dev.umbra.netstack.UdpAcceptor;
import dev.umbra.netstack.UdpFlow;
import dev.umbra.netstack.UdpSocket;
import dev.umbra.wireguard.device.Bind;
import dev.umbra.wireguard.device.DeviceConfig;
import dev.umbra.wireguard.device.PeerConfig;
import dev.umbra.wireguard.device.WireGuardDevice;
import dev.umbra.wireguard.noise.StaticIdentity;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code wireguard} endpoint: a {@link WireGuardDevice} on one UDP socket with a userspace
 * {@link NetStack} behind it. As an outbound it dials TCP and opens UDP sockets inside the tunnel
 * from the endpoint's own addresses; as an inbound every TCP connection and UDP flow a peer sends
 * to any address becomes a connection for the router, tagged with this endpoint. As in sing-box,
 * traffic to the endpoint's own prefixes is routed to loopback.
 */
public final class WireGuardEndpoint implements Endpoint {
  private static final Logger LOG = LoggerFactory.getLogger(WireGuardEndpoint.class);
  static final String TYPE = "wireguard";

  private final String tag;
  private final WireGuardEndpointOptions options;
  private final AdapterContext context;
  private final Dialer dialer;
  private final StaticIdentity identity;
  private final List<IpPrefix> localPrefixes;
  private final List<InetAddress> localAddresses;
  private volatile NetStack stack;
  private volatile WireGuardDevice device;
  private volatile boolean closed;

  public WireGuardEndpoint(String tag, WireGuardEndpointOptions options, AdapterContext context) {
    this.tag = tag;
    this.options = options;
    this.context = context;
    DialOptions dial = options.dial() == null ? DialOptions.DEFAULT : options.dial();
    this.dialer = context.dialer(dial);
    this.identity = StaticIdentity.of(StaticIdentity.decodeKey(options.privateKey()));
    List<IpPrefix> prefixes = new ArrayList<>();
    List<InetAddress> addrs = new ArrayList<>();
    for (String a : options.address()) {
      IpPrefix p = IpPrefix.parse(a);
      prefixes.add(p);
      addrs.add(p.address());
    }
    this.localPrefixes = List.copyOf(prefixes);
    this.localAddresses = List.copyOf(addrs);
    for (int i = 0; i < options.peers().size(); i++) {
      if (java.util.Arrays.equals(
          StaticIdentity.decodeKey(options.peers().get(i).publicKey()), identity.publicKey())) {
        throw new ConfigException(
            JsonPaths.field(JsonPaths.index("peers", i), "public_key"),
            "a peer cannot have the endpoint's own public key");
      }
    }
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public String tag() {
    return tag;
  }

  @Override
  public Set<Network> networks() {
    return Set.of(Network.TCP, Network.UDP);
  }

  @Override
  public List<String> dependencies() {
    String detour = options.dial() == null ? null : options.dial().detour();
    return detour == null ? List.of() : List.of(detour);
  }

  /** The device, once started (tests, diagnostics). */
  public WireGuardDevice device() {
    return device;
  }

  @Override
  public void start(StartStage stage) throws IOException {
    // Peers named by domain wait for POST_START, when the DNS module is up (as sing-box does).
    boolean domains =
        options.peers().stream()
            .anyMatch(p ->
                p.address() != null
                    && !p.address().isEmpty()
                    && Destination.IpLiterals.parse(p.address()) == null);
    if (stage == StartStage.START && !domains || stage == StartStage.POST_START && domains) {
      open();
    }
  }

  private synchronized void open() throws IOException {
    if (device != null || closed) {
      return;
    }
    List<PeerConfig> peers = new ArrayList<>();
    Destination firstRemote = null;
    for (int i = 0; i < options.peers().size(); i++) {
      WireGuardPeerOptions p = options.peers().get(i);
      String path = JsonPaths.index("peers", i);
      InetSocketAddress endpoint = null;
      if (p.address() != null && !p.address().isEmpty()) {
        endpoint = new InetSocketAddress(resolve(p.address()), p.port());
        if (firstRemote == null) {
          firstRemote = Destination.of(endpoint);
        }
      }
      List<IpPrefix> allowed =
          p.allowedIps().stream().map(s -> WireGuardPeerOptions.prefix(path, s)).toList();
      byte[] psk =
          p.preSharedKey() == null || p.preSharedKey().isEmpty()
              ? null
              : StaticIdentity.decodeKey(p.preSharedKey());
      int keepalive = p.persistentKeepaliveInterval() == null ? 0 : p.persistentKeepaliveInterval();
      peers.add(
          new PeerConfig(
              StaticIdentity.decodeKey(p.publicKey()),
              psk,
              endpoint,
              allowed,
              Duration.ofSeconds(keepalive),
              p.reservedBytes(path)));
    }
    Bind bind = openBind(firstRemote);
    // the stack's MSS follows the tunnel MTU (the stack needs at least IPv6's 1280)
    NetStack s =
        new NetStack(
            localAddresses,
            (pkt, off, len) -> device.send(pkt, off, len),
            StackSettings.defaults()
                .withMtu(Math.max(1280, options.mtuOrDefault()))
                .withUdp(options.udpTimeoutOrDefault(), StackSettings.defaults().maxUdpFlows()));
    s.serveTcp(
        new TcpAcceptor() {
          @Override
          public boolean accepts(InetSocketAddress local, InetSocketAddress remote) {
            return !closed;
          }

          @Override
          public void accepted(TcpConn conn) {
            routeConnection(conn);
          }
        });
    s.serveUdp(
        new UdpAcceptor() {
          @Override
          public boolean accepts(InetSocketAddress local, InetSocketAddress remote) {
            return !closed;
          }

          @Override
          public void accepted(UdpFlow flow) {
            routeFlow(flow);
          }
        });
    this.stack = s;
    try {
      device =
          WireGuardDevice.start(
              new DeviceConfig(identity, peers, options.mtuOrDefault()), bind, this::fromTunnel);
    } catch (RuntimeException e) {
      bind.close();
      throw e;
    }
    LOG.info(
        "[{}] WireGuard endpoint up: {} peer(s), addresses {}, socket {}",
        tag,
        peers.size(),
        localPrefixes,
        bind.localAddress());
  }

  private InetAddress resolve(String host) throws IOException {
    InetAddress literal = Destination.IpLiterals.parse(host);
    if (literal != null) {
      return literal;
    }
    List<InetAddress> all = context.resolver().resolve(host);
    if (all.isEmpty()) {
      throw new UnknownHostException("no address for WireGuard peer " + host);
    }
    return all.getFirst();
  }

  /** The outer socket: a listener on {@code listen_port}, else the dialer's (maybe detoured). */
  private Bind openBind(Destination firstRemote) throws IOException {
    Integer port = options.listenPort();
    if (port != null && port != 0) {
      DialOptions d = options.dial();
      String bindAddress = d == null ? null : d.inet4BindAddress();
      InetSocketAddress local =
          bindAddress == null
              ? new InetSocketAddress(port)
              : new InetSocketAddress(Destination.IpLiterals.parse(bindAddress), port);
      DatagramChannel ch = DatagramChannel.open();
      try {
        ch.bind(local);
      } catch (IOException e) {
        ch.close();
        throw new IOException("cannot listen on UDP " + local + ": " + e.getMessage(), e);
      }
      return Bind.of(ch);
    }
    Destination first =
        firstRemote != null
            ? firstRemote
            : new Destination.Ip(InetAddress.getByAddress(new byte[4]), 0);
    return Bind.of(dialer.listenPacket(first));
  }

  // ------------------------------------------------------------ packets out of the tunnel

  private void fromTunnel(byte[] p, int off, int len) {
    NetStack s = stack;
    if (s != null) {
      s.inputAuthenticated(p, off, len); // the device delivers only packets that decrypted
    }
  }

  /** sing-box routes connections to the endpoint's own prefixes to loopback. */
  InetSocketAddress routedDestination(InetSocketAddress original) {
    for (IpPrefix prefix : localPrefixes) {
      if (prefix.contains(original.getAddress())) {
        InetAddress loopback =
            original.getAddress() instanceof Inet4Address
                ? InetAddress.getLoopbackAddress()
                : ipv6Loopback();
        return new InetSocketAddress(loopback, original.getPort());
      }
    }
    return original;
  }

  private static InetAddress ipv6Loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private void routeConnection(TcpConn conn) {
    InetSocketAddress source = conn.remoteAddress();
    InetSocketAddress destination = routedDestination(conn.localAddress());
    Metadata m = Metadata.of(tag, TYPE, Network.TCP, source, Destination.of(destination));
    LOG.debug("[{}] inbound tcp {} -> {}", tag, source, destination);
    context.router().routeConnection(conn, m, Handshake.NONE);
  }

  private void routeFlow(UdpFlow flow) {
    InetSocketAddress source = flow.remoteAddress();
    InetSocketAddress destination = routedDestination(flow.localAddress());
    Metadata m = Metadata.of(tag, TYPE, Network.UDP, source, Destination.of(destination));
    LOG.debug("[{}] inbound udp {} -> {}", tag, source, destination);
    context.router().routePackets(new LoopbackMappedFlow(flow), m, Handshake.NONE);
  }

  /**
   * A flow whose datagrams to the endpoint's own prefixes appear addressed to loopback (what the
   * router dials), and whose replies from loopback go back from the address the peer used.
   */
  private final class LoopbackMappedFlow implements PacketConn {
    private final UdpFlow flow;
    private final Map<InetSocketAddress, InetSocketAddress> originals = new ConcurrentHashMap<>();

    LoopbackMappedFlow(UdpFlow flow) {
      this.flow = flow;
    }

    @Override
    public Destination receive(ByteBuffer into) throws IOException {
      Destination d = flow.receive(into);
      if (d instanceof Destination.Ip ip) {
        InetSocketAddress original = ip.socketAddress();
        InetSocketAddress routed = routedDestination(original);
        if (!routed.equals(original)) {
          originals.put(routed, original);
          return Destination.of(routed);
        }
      }
      return d;
    }

    @Override
    public void send(ByteBuffer from, Destination to) throws IOException {
      if (to instanceof Destination.Ip ip) {
        InetSocketAddress original = originals.get(ip.socketAddress());
        if (original != null) {
          flow.send(from, Destination.of(original));
          return;
        }
      }
      flow.send(from, to);
    }

    @Override
    public void setReadTimeout(int millis) {
      flow.setReadTimeout(millis);
    }

    @Override
    public Duration idleTimeout() {
      return flow.idleTimeout();
    }

    @Override
    public void close() {
      flow.close();
    }
  }

  // ------------------------------------------------------------ outbound

  @Override
  public Conn dial(Metadata metadata) throws IOException {
    NetStack s = requireStarted();
    Duration timeout = connectTimeout();
    switch (metadata.destination()) {
      case Destination.Ip ip -> {
        return s.dialTcp(ip.socketAddress(), timeout);
      }
      case Destination.Domain dom -> {
        List<InetAddress> all = context.resolver().resolve(dom.name());
        IOException last = new UnknownHostException("no address for " + dom.name());
        for (InetAddress a : all) {
          try {
            return s.dialTcp(new InetSocketAddress(a, dom.port()), timeout);
          } catch (IOException e) {
            last = e;
          }
        }
        throw last;
      }
    }
  }

  private Duration connectTimeout() {
    return (options.dial() == null ? DialOptions.DEFAULT : options.dial())
        .connectTimeoutOrDefault();
  }

  @Override
  public PacketConn listenPacket(Metadata metadata) throws IOException {
    NetStack s = requireStarted();
    Destination d = metadata.destination();
    InetAddress target =
        switch (d) {
          case Destination.Ip ip -> ip.address();
          case Destination.Domain dom -> resolve(dom.name());
        };
    UdpSocket socket = s.openUdp(s.addressFor(target), 0);
    return new TunnelPacketConn(socket, this::resolve);
  }

  private NetStack requireStarted() throws IOException {
    NetStack s = stack;
    if (s == null || closed) {
      throw new IOException("WireGuard endpoint '" + tag + "' is not running");
    }
    return s;
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (stack != null) {
      stack.close();
    }
    if (device != null) {
      device.close();
    }
  }

  @Override
  public String toString() {
    return "wireguard endpoint '" + tag + "'";
  }

  /** A UDP socket of the stack that also sends to domain names (resolved per new name). */
  private static final class TunnelPacketConn implements PacketConn {
    interface Resolve {
      InetAddress apply(String host) throws IOException;
    }

    private final UdpSocket socket;
    private final Resolve resolve;
    private volatile Destination.Domain lastDomain;
    private volatile Destination.Ip lastResolved;

    TunnelPacketConn(UdpSocket socket, Resolve resolve) {
      this.socket = socket;
      this.resolve = resolve;
    }

    @Override
    public Destination receive(ByteBuffer into) throws IOException {
      return socket.receive(into);
    }

    @Override
    public void send(ByteBuffer from, Destination to) throws IOException {
      Destination target = to;
      if (to instanceof Destination.Domain dom) {
        Destination.Ip cached = lastResolved;
        if (dom.equals(lastDomain) && cached != null) {
          target = cached;
        } else {
          Destination.Ip ip = new Destination.Ip(resolve.apply(dom.name()), dom.port());
          lastDomain = dom;
          lastResolved = ip;
          target = ip;
        }
      }
      socket.send(from, target);
    }

    @Override
    public void setReadTimeout(int millis) {
      socket.setReadTimeout(millis);
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
