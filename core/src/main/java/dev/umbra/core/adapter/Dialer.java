package dev.umbra.core.adapter;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * How an outbound reaches its server: directly with the dial fields (bind address, timeouts,
 * keep-alive), or through another outbound ({@code detour}).
 */
public interface Dialer {
  Conn dial(Destination destination) throws IOException;

  /**
   * Dials {@code destination}, whose domain a {@code resolve} rule action already resolved to
   * {@code resolved} (empty: not resolved yet), so the dialer does not ask again.
   */
  default Conn dial(Destination destination, List<InetAddress> resolved) throws IOException {
    return dial(destination);
  }

  /** A UDP socket (or association) able to send to any destination. */
  PacketConn listenPacket(Destination firstDestination) throws IOException;

  /** As {@link #listenPacket(Destination)}, with the first destination already resolved. */
  default PacketConn listenPacket(Destination firstDestination, List<InetAddress> resolved)
      throws IOException {
    return listenPacket(firstDestination);
  }

  /**
   * Where datagrams to {@code server} go, in the order to try: its addresses as the dial fields
   * resolve and order them ({@code domain_resolver}, {@code domain_strategy}), or {@code server}
   * itself where the packet path resolves names (a {@code detour} outbound). For protocols that
   * must know the peer's address before they send (QUIC).
   */
  default List<Destination> packetTargets(Destination server) throws IOException {
    return List.of(server);
  }

  /** How long setting up a connection may take ({@code connect_timeout}). */
  default Duration connectTimeout() {
    return dev.umbra.core.config.DialOptions.DEFAULT_CONNECT_TIMEOUT;
  }
}
