package dev.umbra.core.dial;

import dev.umbra.core.adapter.Dialer;
import dev.umbra.core.adapter.Metadata;
import dev.umbra.core.adapter.Outbound;
import dev.umbra.core.adapter.OutboundManager;
import dev.umbra.core.adapter.Resolver;
import dev.umbra.core.config.DialOptions;
import dev.umbra.core.net.Conn;
import dev.umbra.core.net.DatagramPacketConn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import dev.umbra.core.net.SocketConn;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * Dials with the sing-box dial fields: through the {@code detour} outbound if set, otherwise a TCP
 * socket bound to the family's bind address, with keep-alive and a connect timeout covering all
 * addresses tried.
 */
public final class DefaultDialer implements Dialer {
  private final DialOptions options;
  private final OutboundManager outbounds;
  private final Resolver resolver;

  public DefaultDialer(DialOptions options, OutboundManager outbounds, Resolver resolver) {
    this.options = options == null ? DialOptions.DEFAULT : options;
    this.outbounds = outbounds;
    this.resolver = resolver;
  }

  private Outbound detour() throws IOException {
    return outbounds
        .get(options.detour())
        .orElseThrow(() -> new IOException("detour outbound '" + options.detour() + "' is gone"));
  }

  @Override
  public Conn dial(Destination destination) throws IOException {
    return dial(destination, List.of());
  }

  @Override
  public Conn dial(Destination destination, List<InetAddress> resolved) throws IOException {
    if (options.detour() != null) {
      return detour()
          .dial(Metadata.internal(Network.TCP, destination).withDestinationAddresses(resolved));
    }
    List<InetAddress> addresses = addresses(destination, resolved);
    long deadline = System.nanoTime() + options.connectTimeoutOrDefault().toNanos();
    IOException last = null;
    for (InetAddress address : addresses) {
      long remainingMillis = (deadline - System.nanoTime()) / 1_000_000L;
      if (remainingMillis <= 0) {
        break;
      }
      Socket socket = java.nio.channels.SocketChannel.open().socket();
      try {
        bind(socket, address);
        SocketOptions.keepAlive(
            socket,
            options.keepAliveEnabled(),
            options.keepAliveIdle(),
            options.keepAliveInterval());
        socket.setTcpNoDelay(true);
        socket.connect(
            new InetSocketAddress(address, destination.port()),
            (int) Math.min(Integer.MAX_VALUE, remainingMillis));
        return new SocketConn(socket);
      } catch (IOException e) {
        socket.close();
        last = e;
      }
    }
    if (last == null) {
      last = new SocketTimeoutException("connect to " + destination + " timed out");
    }
    if (last instanceof SocketTimeoutException) {
      throw new SocketTimeoutException(
          "connect to " + destination + " timed out after " + options.connectTimeoutOrDefault());
    }
    throw last;
  }

  @Override
  public List<Destination> packetTargets(Destination server) throws IOException {
    if (options.detour() != null || server instanceof Destination.Ip) {
      // through a detour the name goes to the outbound, as for TCP
      return List.of(server);
    }
    return addresses(server, List.of()).stream()
        .<Destination>map(a -> new Destination.Ip(a, server.port()))
        .toList();
  }

  @Override
  public java.time.Duration connectTimeout() {
    return options.connectTimeoutOrDefault();
  }

  private List<InetAddress> addresses(Destination destination, List<InetAddress> resolved)
      throws IOException {
    List<InetAddress> all =
        switch (destination) {
          case Destination.Ip ip -> List.of(ip.address());
          case Destination.Domain d -> resolved.isEmpty() ? resolver.resolve(d.name()) : resolved;
        };
    List<InetAddress> ordered = AddressOrder.apply(options.domainStrategy(), all);
    if (ordered.isEmpty()) {
      throw new IOException(
          "no address of "
              + destination.host()
              + " fits domain_strategy "
              + options.domainStrategy().jsonName());
    }
    return ordered;
  }

  private void bind(Socket socket, InetAddress target) throws IOException {
    String bind =
        target instanceof Inet6Address ? options.inet6BindAddress() : options.inet4BindAddress();
    if (bind != null) {
      socket.bind(new InetSocketAddress(Destination.IpLiterals.parse(bind), 0));
    }
  }

  @Override
  public PacketConn listenPacket(Destination firstDestination) throws IOException {
    return listenPacket(firstDestination, List.of());
  }

  /**
   * A UDP socket bound to the first destination's family bind address; datagrams to domains go to
   * an address found with this dialer's resolver and {@code domain_strategy} (the first
   * destination's from {@code resolved} if given), and answers from it come back under the domain.
   */
  @Override
  public PacketConn listenPacket(Destination firstDestination, List<InetAddress> resolved)
      throws IOException {
    if (options.detour() != null) {
      return detour()
          .listenPacket(
              Metadata.internal(Network.UDP, firstDestination).withDestinationAddresses(resolved));
    }
    String bind = options.inet4BindAddress() != null ? options.inet4BindAddress() : null;
    if (firstDestination instanceof Destination.Ip ip && ip.isIpv6()) {
      bind = options.inet6BindAddress();
    }
    DatagramSocket socket =
        bind == null
            ? new DatagramSocket()
            : new DatagramSocket(new InetSocketAddress(Destination.IpLiterals.parse(bind), 0));
    ResolvingPacketConn conn =
        new ResolvingPacketConn(
            new DatagramPacketConn(socket), d -> addresses(d, List.of()).getFirst());
    if (firstDestination instanceof Destination.Domain d && !resolved.isEmpty()) {
      conn.remember(d, addresses(d, resolved).getFirst());
    }
    return conn;
  }
}
