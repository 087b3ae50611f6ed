package dev.umbra.proxy.socks;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of a SOCKS5 UDP association: datagrams from the client carry a header naming
 * their destination; replies get a header naming their source. Only the client's own IP may use it;
 * the first datagram fixes the client's UDP port.
 */
final class SocksUdpAssociation implements PacketConn {
  private static final Logger LOG = LoggerFactory.getLogger(SocksUdpAssociation.class);

  private final DatagramSocket socket;
  private final InetAddress clientIp;
  private final DatagramPacket in = new DatagramPacket(new byte[65535], 65535);
  private final byte[] outBuf = new byte[65535 + 262];
  private volatile InetSocketAddress client;
  private ByteBuffer pending;
  private Destination pendingDestination;

  private final java.time.Duration idle;

  SocksUdpAssociation(DatagramSocket socket, InetAddress clientIp, java.time.Duration idle) {
    this.idle = idle;
    this.socket = socket;
    this.clientIp = clientIp;
  }

  /** Blocks for the client's first valid datagram and keeps it for the first receive. */
  Destination awaitFirstDestination() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(65535);
    try {
      Destination d = receive(b);
      b.flip();
      pending = b;
      pendingDestination = d;
      return d;
    } catch (IOException e) {
      if (socket.isClosed()) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public synchronized Destination receive(ByteBuffer into) throws IOException {
    if (pending != null) {
      into.put(pending);
      pending = null;
      Destination d = pendingDestination;
      pendingDestination = null;
      return d;
    }
    while (true) {
      in.setLength(in.getData().length);
      socket.receive(in);
      if (!in.getAddress().equals(clientIp) && !isSameUnmapped(in.getAddress(), clientIp)) {
        LOG.debug("udp datagram from {} ignored: not the associated client", in.getAddress());
        continue;
      }
      InetSocketAddress from = (InetSocketAddress) in.getSocketAddress();
      if (client == null) {
        client = from;
      } else if (!client.equals(from)) {
        continue;
      }
      ByteBuffer b = ByteBuffer.wrap(in.getData(), in.getOffset(), in.getLength());
      Destination d;
      try {
        d = Socks5.readUdpHeader(b);
      } catch (SocksException e) {
        LOG.debug("udp datagram from {} dropped: {}", from, e.getMessage());
        continue;
      }
      into.put(b);
      return d;
    }
  }

  private static boolean isSameUnmapped(InetAddress a, InetAddress b) {
    return a.getHostAddress().equals(b.getHostAddress());
  }

  @Override
  public void send(ByteBuffer from, Destination source) throws IOException {
    InetSocketAddress to = client;
    if (to == null) {
      return;
    }
    synchronized (outBuf) {
      ByteBuffer b = ByteBuffer.wrap(outBuf);
      Socks5.writeUdpHeader(b, source);
      if (from.remaining() > b.remaining()) {
        throw new IOException("datagram too large");
      }
      b.put(from);
      socket.send(new DatagramPacket(outBuf, 0, b.position(), to));
    }
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public java.time.Duration idleTimeout() {
    return idle;
  }

  @Override
  public void close() {
    socket.close();
  }
}
