package dev.umbra.proxy.vless;

import dev.umbra.core.net.Destination;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The V2Ray address encoding shared by VLESS and VMess: port first (u16), then type (1 IPv4, 2
 * domain, 3 IPv6) and address. No I/O beyond the given streams.
 */
public final class VAddress {
  public static final int IPV4 = 1;
  public static final int DOMAIN = 2;
  public static final int IPV6 = 3;

  private VAddress() {}

  public static int length(Destination d) {
    return switch (d) {
      case Destination.Ip ip -> 2 + 1 + ip.address().getAddress().length;
      case Destination.Domain dom ->
          2 + 1 + 1 + dom.name().getBytes(StandardCharsets.US_ASCII).length;
    };
  }

  public static void write(ByteBuffer b, Destination d) {
    b.putShort((short) d.port());
    switch (d) {
      case Destination.Ip ip -> {
        byte[] a = ip.address().getAddress();
        b.put((byte) (a.length == 4 ? IPV4 : IPV6)).put(a);
      }
      case Destination.Domain dom -> {
        byte[] a = dom.name().getBytes(StandardCharsets.US_ASCII);
        if (a.length > 255) {
          throw new IllegalArgumentException("domain too long: " + dom.name());
        }
        b.put((byte) DOMAIN).put((byte) a.length).put(a);
      }
    }
  }

  public static Destination read(DataInputStream in) throws IOException {
    int port = in.readUnsignedShort();
    int type = in.readUnsignedByte();
    String host;
    switch (type) {
      case IPV4, IPV6 -> {
        byte[] a = new byte[type == IPV4 ? 4 : 16];
        in.readFully(a);
        host = InetAddress.getByAddress(a).getHostAddress();
      }
      case DOMAIN -> {
        int len = in.readUnsignedByte();
        if (len == 0) {
          throw new ProtocolException("empty domain name");
        }
        byte[] a = new byte[len];
        in.readFully(a);
        host = new String(a, StandardCharsets.US_ASCII);
      }
      default -> throw new ProtocolException("unknown address type " + type);
    }
    try {
      return Destination.of(host, port);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException("invalid address: " + e.getMessage());
    }
  }

  /** Reads from a byte array (a decrypted header); throws ProtocolException if truncated. */
  public static Destination read(ByteBuffer b) throws ProtocolException {
    try {
      byte[] copy = new byte[b.remaining()];
      b.duplicate().get(copy);
      var in = new java.io.ByteArrayInputStream(copy);
      Destination d = read(new DataInputStream(in));
      b.position(b.position() + copy.length - in.available());
      return d;
    } catch (ProtocolException e) {
      throw e;
    } catch (IOException e) {
      throw new ProtocolException("truncated address");
    }
  }
}
