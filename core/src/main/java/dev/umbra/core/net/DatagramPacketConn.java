package dev.umbra.core.net;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A {@link PacketConn} over an unconnected UDP socket. Domains are resolved by the OS per send. */
public final class DatagramPacketConn implements PacketConn {
  private final DatagramSocket socket;
  private final DatagramPacket receivePacket = new DatagramPacket(new byte[65535], 65535);
  private final Object receiveLock = new Object();
  private final Object sendLock = new Object();

  public DatagramPacketConn(DatagramSocket socket) {
    this.socket = socket;
  }

  public DatagramSocket socket() {
    return socket;
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (receiveLock) {
      receivePacket.setLength(receivePacket.getData().length);
      socket.receive(receivePacket);
      int n = Math.min(receivePacket.getLength(), into.remaining());
      into.put(receivePacket.getData(), receivePacket.getOffset(), n);
      InetAddress from = receivePacket.getAddress();
      return new Destination.Ip(unmap(from), receivePacket.getPort());
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    InetSocketAddress target =
        switch (to) {
          case Destination.Ip ip -> ip.socketAddress();
          case Destination.Domain d -> new InetSocketAddress(d.name(), d.port());
        };
    if (target.isUnresolved()) {
      throw new IOException("cannot resolve " + to.host());
    }
    synchronized (sendLock) {
      DatagramPacket p;
      if (from.hasArray()) {
        p =
            new DatagramPacket(
                from.array(), from.arrayOffset() + from.position(), from.remaining(), target);
      } else {
        byte[] copy = new byte[from.remaining()];
        from.duplicate().get(copy);
        p = new DatagramPacket(copy, copy.length, target);
      }
      socket.send(p);
      from.position(from.limit());
    }
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void close() {
    socket.close();
  }

  /** IPv4-mapped IPv6 addresses (from dual-stack sockets) as plain IPv4. */
  static InetAddress unmap(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 16) {
      for (int i = 0; i < 10; i++) {
        if (b[i] != 0) {
          return a;
        }
      }
      if (b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
        try {
          return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (java.net.UnknownHostException e) {
          return a;
        }
      }
    }
    return a;
  }

  /** True if the exception is a receive timeout rather than a failure. */
  public static boolean isTimeout(IOException e) {
    return e instanceof SocketTimeoutException;
  }
}
