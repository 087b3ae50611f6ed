package dev.umbra.core.adapter;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;

/**
 * How an outbound reaches its server: directly with the dial fields (bind address, timeouts,
 * keep-alive), or through another outbound ({@code detour}).
 */
public interface Dialer {
  Conn dial(Destination destination) throws IOException;

  /** A UDP socket (or association) able to send to any destination. */
  PacketConn listenPacket(Destination firstDestination) throws IOException;
}
