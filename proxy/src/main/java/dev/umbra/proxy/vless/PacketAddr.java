package dev.umbra.proxy.vless;

import dev.umbra.core.net.Destination;
import dev.umbra.core.net.PacketConn;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.nio.ByteBuffer;

/**
 * v2fly's packet-addr UDP encoding (sagernet/sing-vmess packetaddr): the request goes to {@code
 * sp.packet-addr.v2fly.arpa}, and every datagram of the plain UDP stream starts with the address it
 * goes to or comes from: {@code family(1: IPv4, 2: IPv6) address port(u16 BE)}. Domains cannot be
 * carried. A {@link PacketConn} over the one-destination packet conn of VMess or VLESS.
 */
public final class PacketAddr implements PacketConn {
  public static final String MAGIC = "sp.packet-addr.v2fly.arpa";
  public static final Destination DESTINATION = new Destination.Domain(MAGIC, 0);

  private final PacketConn inner;
  private final ByteBuffer receiveBuf = ByteBuffer.allocate(65535 + 19);
  private final Object receiveLock = new Object();

  public PacketAddr(PacketConn inner) {
    this.inner = inner;
  }

  public static boolean isMagic(Destination d) {
    return d instanceof Destination.Domain dom && dom.name().equals(MAGIC);
  }

  /** The address prefix of a datagram to or from {@code d}. */
  public static byte[] prefix(Destination d) throws IOException {
    if (!(d instanceof Destination.Ip ip)) {
      throw new IOException("packetaddr cannot carry a domain destination: " + d);
    }
    byte[] a = ip.address().getAddress();
    ByteBuffer b = ByteBuffer.allocate(1 + a.length + 2);
    b.put((byte) (a.length == 4 ? 1 : 2)).put(a).putShort((short) d.port());
    return b.array();
  }

  /** Reads the address prefix, leaving {@code b} at the payload. */
  public static Destination read(ByteBuffer b) throws ProtocolException {
    if (!b.hasRemaining()) {
      throw new ProtocolException("packetaddr: empty datagram");
    }
    int family = b.get() & 0xff;
    int len =
        switch (family) {
          case 1 -> 4;
          case 2 -> 16;
          default -> throw new ProtocolException("packetaddr: unknown address family " + family);
        };
    if (b.remaining() < len + 2) {
      throw new ProtocolException("packetaddr: truncated address");
    }
    byte[] a = new byte[len];
    b.get(a);
    int port = b.getShort() & 0xffff;
    try {
      return new Destination.Ip(InetAddress.getByAddress(a), port);
    } catch (java.net.UnknownHostException e) {
      throw new ProtocolException("packetaddr: bad address");
    }
  }

  private Destination pending;

  /** Reads the first datagram ahead and returns its address (the association's destination). */
  public Destination peekFirst() throws IOException {
    synchronized (receiveLock) {
      if (pending == null) {
        receiveBuf.clear();
        inner.receive(receiveBuf);
        receiveBuf.flip();
        pending = read(receiveBuf);
      }
      return pending;
    }
  }

  @Override
  public Destination receive(ByteBuffer into) throws IOException {
    synchronized (receiveLock) {
      Destination from = pending;
      pending = null;
      if (from == null) {
        receiveBuf.clear();
        inner.receive(receiveBuf);
        receiveBuf.flip();
        from = read(receiveBuf);
      }
      int n = Math.min(receiveBuf.remaining(), into.remaining());
      into.put(receiveBuf.array(), receiveBuf.position(), n);
      return from;
    }
  }

  @Override
  public void send(ByteBuffer from, Destination to) throws IOException {
    byte[] p = prefix(to);
    ByteBuffer b = ByteBuffer.allocate(p.length + from.remaining());
    b.put(p).put(from).flip();
    inner.send(b, to);
  }

  @Override
  public void setReadTimeout(int millis) throws IOException {
    inner.setReadTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
