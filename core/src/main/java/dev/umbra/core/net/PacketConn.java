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

  /**
   * Answers datagrams where they arrive: a conn whose datagrams come from a receive loop of its own
   * (a UDP inbound's session) offers each one to the responder first, and sends the reply it writes
   * to the client at once, without handing the datagram to the thread blocked in {@link #receive}.
   */
  @FunctionalInterface
  interface Responder {
    /**
     * The reply to {@code data[0, length)}, written into {@code reply}: its length, or -1 to let
     * the datagram go to {@link #receive} as usual. Runs on the conn's receive loop, so it must
     * neither block nor throw.
     */
    int respond(byte[] data, int length, byte[] reply);
  }

  /**
   * Installs {@code responder} (see {@link Responder}); false when this conn has no receive loop of
   * its own to run it on (then every datagram still goes to {@link #receive}).
   */
  default boolean respondInline(Responder responder) {
    return false;
  }

  @Override
  void close() throws IOException;
}
