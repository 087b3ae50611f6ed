package dev.umbra.core.adapter;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Network;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** Opens connections to {@link Metadata#destination()}, directly or through a protocol. */
public interface Outbound {
  String type();

  String tag();

  /** The networks this outbound can carry. */
  Set<Network> networks();

  /** Connects a stream to {@code metadata.destination()}. */
  Conn dial(Metadata metadata) throws IOException;

  /**
   * Opens a packet connection for a UDP association whose first destination is {@code
   * metadata.destination()}; datagrams may then go to any destination.
   */
  PacketConn listenPacket(Metadata metadata) throws IOException;

  /** Tags of the outbounds this one depends on (detour, group members), for cycle detection. */
  default List<String> dependencies() {
    return List.of();
  }
}
