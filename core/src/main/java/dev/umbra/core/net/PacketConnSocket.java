package dev.umbra.core.net;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link DatagramSocket} whose datagrams travel over a {@link PacketConn}, all to one peer: what
 * a library that insists on opening its own UDP socket (a QUIC stack) is handed so that its traffic
 * goes through a dialer (bind addresses, or a {@code detour} outbound such as a SOCKS5 UDP
 * association). Only {@code send}, {@code receive} and {@code close} carry anything; the socket
 * this class inherits stays unbound. Datagrams from anyone but the peer are dropped, and the ones
 * kept are stamped with the address the library believes it talks to (it drops any other).
 */
public final class PacketConnSocket extends DatagramSocket {
  private static final Logger LOG = LoggerFactory.getLogger(PacketConnSocket.class);
  private final PacketConn conn;
  private final Destination peer;
  private final InetSocketAddress stamp;

  /**
   * @param conn carries the datagrams; closed with this socket
   * @param peer where every datagram goes (a domain only when {@code conn} resolves it, e.g. a
   *     detour outbound)
   * @param stamp the address the library believes it talks to
   */
  public PacketConnSocket(PacketConn conn, Destination peer, InetSocketAddress stamp)
      throws SocketException {
    super((SocketAddress) null);
    this.conn = conn;
    this.peer = peer;
    this.stamp = stamp;
  }

  /** Opens a packet connection able to reach a peer (a dialer's {@code listenPacket}). */
  @FunctionalInterface
  public interface Opener {
    PacketConn open(Destination peer) throws IOException;
  }

  /**
   * A socket to {@code peer} over a connection from {@code opener}, failing as a {@link
   * SocketException} (what socket factories may throw) and closing the connection if need be.
   */
  public static PacketConnSocket open(Opener opener, Destination peer, InetSocketAddress stamp)
      throws SocketException {
    PacketConn conn;
    try {
      conn = opener.open(peer);
    } catch (IOException e) {
      SocketException s = new SocketException("UDP to " + peer + ": " + e.getMessage());
      s.initCause(e);
      throw s;
    }
    try {
      return new PacketConnSocket(conn, peer, stamp);
    } catch (SocketException e) {
      try {
        conn.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The datagrams' destination. */
  public Destination peer() {
    return peer;
  }

  @Override
  public void send(DatagramPacket p) throws IOException {
    conn.send(ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength()), peer);
  }

  @Override
  public void receive(DatagramPacket p) throws IOException {
    // bounded by the connection: each pass consumes one datagram, and close() ends the wait
    while (true) {
      ByteBuffer into = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
      Destination from = conn.receive(into);
      if (fromPeer(from)) {
        p.setLength(into.position() - p.getOffset());
        p.setSocketAddress(stamp);
        return;
      }
      LOG.debug("UDP to {}: dropped a datagram from {}", peer, from);
    }
  }

  private boolean fromPeer(Destination from) {
    return switch (peer) {
      case Destination.Ip ip ->
          from instanceof Destination.Ip f
              && f.port() == ip.port()
              && DatagramPacketConn.unmap(f.address())
                  .equals(DatagramPacketConn.unmap(ip.address()));
      // sent by name: the connection reports whichever address it resolved
      case Destination.Domain d -> from.port() == d.port();
    };
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    try {
      conn.setReadTimeout(timeout);
    } catch (IOException e) {
      SocketException s = new SocketException(e.getMessage());
      s.initCause(e);
      throw s;
    }
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return new InetSocketAddress(0);
  }

  @Override
  public void close() {
    try {
      conn.close();
    } catch (IOException e) {
      LOG.debug("UDP to {}: closing the packet connection: {}", peer, e.toString());
    }
    super.close();
  }
}
