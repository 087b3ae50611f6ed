package dev.umbra.core.net;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Datagrams, each with an address: a UDP socket, a SOCKS5 UDP association, UDP over a tunnel.
 * {@link #receive} and {@link #send} may be called concurrently from two threads.
 */
public interface PacketConn extends Closeable {

  /**
   * Blocks for the next datagram and writes its payload into {@code into} (from its position);
   * returns the address it came from (for an inbound association: the destination the client asked
   * for).
   */
  Destination receive(ByteBuffer into) throws IOException;

  /** Sends the remaining bytes of {@code from} as one datagram to {@code to}. */
  void send(ByteBuffer from, Destination to) throws IOException;

  /** Sets the receive timeout in milliseconds (0 = none). */
  default void setReadTimeout(int millis) throws IOException {}

  /** How long the association may stay silent before it ends, if its inbound says; else null. */
  default java.time.Duration idleTimeout() {
    return null;
  }

  @Override
  void close() throws IOException;
}
