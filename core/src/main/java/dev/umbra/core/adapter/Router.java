package dev.umbra.core.adapter;

import dev.umbra.core.net.Conn;
import dev.umbra.core.net.PacketConn;

/** Decides where each connection goes. Inbounds call it from the connection's own thread. */
public interface Router {

  /**
   * Routes a stream: matches rules, dials the chosen outbound, relays until both sides are done,
   * and closes {@code conn}. Blocks for the life of the connection. Never throws: failures are
   * logged and reported through {@code handshake}.
   */
  void routeConnection(Conn conn, Metadata metadata, Handshake handshake);

  /** Routes a UDP association the same way. Blocks until the association ends. */
  void routePackets(PacketConn conn, Metadata metadata, Handshake handshake);
}
