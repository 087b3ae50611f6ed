package dev.umbra.proxy.socks;

import dev.umbra.core.net.Destination;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** SOCKS5 address encoding (ATYP, address, port), as in requests, replies and UDP headers. */
public final class SocksAddress {
  public static final int IPV4 = 1;
  public static final int DOMAIN = 3;
  public static final int IPV6 = 4;

  private SocksAddress() {}

  public static Destination read(DataInputStream in) throws IOException {
    int type = in.readUnsignedByte();
    String host;
    switch (type) {
      case IPV4 -> {
        byte[] a = new byte[4];
        in.readFully(a);
        host = InetAddress.getByAddress(a).getHostAddress();
      }
      case IPV6 -> {
        byte[] a = new byte[16];
        in.readFully(a);
        host = InetAddress.getByAddress(a).getHostAddress();
      }
      case DOMAIN -> {
        int len = in.readUnsignedByte();
        if (len == 0) {
          throw new SocksException("empty domain name");
        }
        byte[] a = new byte[len];
        in.readFully(a);
        host = new String(a, StandardCharsets.US_ASCII);
      }
      default -> throw new SocksException("unknown address type " + type);
    }
    int port = in.readUnsignedShort();
    return destination(host, port);
  }

  /** Reads an address from a datagram (UDP header); throws SocksException if truncated. */
  public static Destination read(ByteBuffer b) throws SocksException {
    try {
      int type = b.get() & 0xff;
      String host;
      switch (type) {
        case IPV4 -> {
          byte[] a = new byte[4];
          b.get(a);
          host = InetAddress.getByAddress(a).getHostAddress();
        }
        case IPV6 -> {
          byte[] a = new byte[16];
          b.get(a);
          host = InetAddress.getByAddress(a).getHostAddress();
        }
        case DOMAIN -> {
          int len = b.get() & 0xff;
          if (len == 0) {
            throw new SocksException("empty domain name");
          }
          byte[] a = new byte[len];
          b.get(a);
          host = new String(a, StandardCharsets.US_ASCII);
        }
        default -> throw new SocksException("unknown address type " + type);
      }
      int port = b.getShort() & 0xffff;
      return destination(host, port);
    } catch (java.nio.BufferUnderflowException | java.net.UnknownHostException e) {
      throw new SocksException("truncated address");
    }
  }

  private static Destination destination(String host, int port) throws SocksException {
    try {
      return Destination.of(host, port);
    } catch (IllegalArgumentException e) {
      throw new SocksException("invalid address: " + e.getMessage());
    }
  }

  /** Encoded length of {@code d}. */
  public static int length(Destination d) {
    return switch (d) {
      case Destination.Ip ip -> 1 + ip.address().getAddress().length + 2;
      case Destination.Domain dom ->
          1 + 1 + dom.name().getBytes(StandardCharsets.US_ASCII).length + 2;
    };
  }

  public static void write(ByteBuffer b, Destination d) {
    switch (d) {
      case Destination.Ip ip -> {
        byte[] a = ip.address().getAddress();
        b.put((byte) (a.length == 4 ? IPV4 : IPV6));
        b.put(a);
      }
      case Destination.Domain dom -> {
        byte[] a = dom.name().getBytes(StandardCharsets.US_ASCII);
        if (a.length > 255) {
          throw new IllegalArgumentException("domain too long for SOCKS5: " + dom.name());
        }
        b.put((byte) DOMAIN);
        b.put((byte) a.length);
        b.put(a);
      }
    }
    b.putShort((short) d.port());
  }

  public static byte[] encode(Destination d) {
    ByteBuffer b = ByteBuffer.allocate(length(d));
    write(b, d);
    return b.array();
  }
}
