package dev.umbra.netstack;

import java.net.InetSocketAddress;

/**
 * The UDP forwarder of a {@link NetStack} (see {@link NetStack#serveUdp}): datagrams to any address
 * and port that no bound {@link UdpSocket} takes are grouped per sender into {@link UdpFlow}s.
 */
public interface UdpAcceptor {

  /**
   * Whether to open a flow for {@code remote}, whose first datagram went to {@code local}. Called
   * on the thread that feeds the stack, so it must not block; false drops the datagram.
   */
  boolean accepts(InetSocketAddress local, InetSocketAddress remote);

  /** A new flow, holding its first datagram; runs on a new virtual thread. */
  void accepted(UdpFlow flow);
}
