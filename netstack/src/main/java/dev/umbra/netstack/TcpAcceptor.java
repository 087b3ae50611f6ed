package dev.umbra.netstack;

import java.net.InetSocketAddress;

/**
 * The TCP forwarder of a {@link NetStack} (see {@link NetStack#serveTcp}): asked about every SYN,
 * whatever its destination address and port.
 */
public interface TcpAcceptor {

  /**
   * Whether to accept a connection from {@code remote} to {@code local} (the SYN's destination).
   * Called on the thread that feeds the stack, so it must not block; false answers with a RST.
   */
  boolean accepts(InetSocketAddress local, InetSocketAddress remote);

  /**
   * A connection this acceptor accepted has completed its handshake; runs on a new virtual thread.
   */
  void accepted(TcpConn conn);
}
