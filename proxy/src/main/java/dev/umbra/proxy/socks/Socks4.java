package dev.umbra.proxy.socks;

import dev.umbra.core.net.Destination;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/** SOCKS4 and SOCKS4a request and reply encoding. */
public final class Socks4 {
  public static final int VERSION = 4;
  public static final int CMD_CONNECT = 1;
  public static final int GRANTED = 0x5a;
  public static final int REJECTED = 0x5b;

  /** Longest user id or domain accepted (there is no length field, only a NUL terminator). */
  static final int MAX_FIELD = 255;

  private Socks4() {}

  /** A parsed request (after the version byte). */
  public record Request(int command, Destination destination, String userId) {}

  public static Request readRequest(DataInputStream in) throws IOException {
    int command = in.readUnsignedByte();
    int port = in.readUnsignedShort();
    byte[] ip = new byte[4];
    in.readFully(ip);
    String userId = readNulTerminated(in);
    Destination d;
    if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0) {
      String host = readNulTerminated(in); // SOCKS4a
      if (host.isEmpty()) {
        throw new SocksException("empty SOCKS4a host");
      }
      try {
        d = Destination.of(host, port);
      } catch (IllegalArgumentException e) {
        throw new SocksException("invalid SOCKS4a host");
      }
    } else {
      d = new Destination.Ip(InetAddress.getByAddress(ip), port);
    }
    return new Request(command, d, userId);
  }

  private static String readNulTerminated(DataInputStream in) throws IOException {
    byte[] buf = new byte[MAX_FIELD];
    for (int i = 0; i < buf.length; i++) {
      int b = in.readUnsignedByte();
      if (b == 0) {
        return new String(buf, 0, i, StandardCharsets.ISO_8859_1);
      }
      buf[i] = (byte) b;
    }
    throw new SocksException("SOCKS4 field longer than " + MAX_FIELD + " bytes");
  }

  public static byte[] reply(int code) {
    return new byte[] {0, (byte) code, 0, 0, 0, 0, 0, 0};
  }

  /** A request from the client side. */
  public static byte[] request(Destination d, boolean allowDomain, String userId) {
    byte[] user = (userId == null ? "" : userId).getBytes(StandardCharsets.ISO_8859_1);
    byte[] ip;
    byte[] host = new byte[0];
    switch (d) {
      case Destination.Ip a -> {
        ip = a.address().getAddress();
        if (ip.length != 4) {
          throw new IllegalArgumentException("SOCKS4 cannot carry IPv6 addresses");
        }
      }
      case Destination.Domain dom -> {
        if (!allowDomain) {
          throw new IllegalArgumentException("SOCKS4 cannot carry domain names; use version 4a");
        }
        ip = new byte[] {0, 0, 0, 1};
        host = dom.name().getBytes(StandardCharsets.US_ASCII);
      }
    }
    int len = 8 + user.length + 1 + (host.length == 0 ? 0 : host.length + 1);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(len);
    b.put((byte) VERSION)
        .put((byte) CMD_CONNECT)
        .putShort((short) d.port())
        .put(ip)
        .put(user)
        .put((byte) 0);
    if (host.length > 0) {
      b.put(host).put((byte) 0);
    }
    return b.array();
  }
}
