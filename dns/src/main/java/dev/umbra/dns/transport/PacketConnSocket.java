package dev.umbra.dns.transport;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP socket the QUIC library is handed: its datagrams travel over a {@link PacketConn} from
 * the dialer (bind addresses, or a {@code detour} outbound such as a SOCKS5 UDP association), all
 * to one server. kwik only calls {@code send}, {@code receive} and {@code close}, and drops any
 * datagram that does not seem to come from the address it connected to, so answers are stamped with
 * that address. The socket this class inherits stays unbound and carries nothing.
 */
final class PacketConnSocket extends DatagramSocket {
  private static final Logger LOG = LoggerFactory.getLogger(PacketConnSocket.class);
  private final PacketConn conn;
  private final Destination peer;
  private final InetSocketAddress stamp;

  /**
   * @param peer where every datagram goes (a domain only through a detour, which resolves it)
   * @param stamp the address kwik believes it talks to
   */
  PacketConnSocket(PacketConn conn, Destination peer, InetSocketAddress stamp)
      throws SocketException {
    super((SocketAddress) null);
    this.conn = conn;
    this.peer = peer;
    this.stamp = stamp;
  }

  @Override
  public void send(DatagramPacket p) throws IOException {
    conn.send(ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength()), peer);
  }

  @Override
  public void receive(DatagramPacket p) throws IOException {
    while (true) {
      ByteBuffer into = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
      Destination from = conn.receive(into);
      if (fromPeer(from)) {
        p.setLength(into.position() - p.getOffset());
        p.setSocketAddress(stamp);
        return;
      }
      LOG.debug("QUIC to {}: dropped a datagram from {}", peer, from);
    }
  }

  private boolean fromPeer(Destination from) {
    return switch (peer) {
      case Destination.Ip ip -> from instanceof Destination.Ip f && sameAddress(ip, f);
      // sent by name through a detour: the outbound reports the address it resolved
      case Destination.Domain d -> from.port() == d.port();
    };
  }

  private static boolean sameAddress(Destination.Ip a, Destination.Ip b) {
    return a.port() == b.port() && unmap(a.address()).equals(unmap(b.address()));
  }

  private static InetAddress unmap(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 16) {
      boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = b[i] == 0;
      }
      if (mapped) {
        try {
          return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (java.net.UnknownHostException e) {
          return a;
        }
      }
    }
    return a;
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
      LOG.debug("QUIC to {}: closing the packet connection: {}", peer, e.toString());
    }
    super.close();
  }
}
