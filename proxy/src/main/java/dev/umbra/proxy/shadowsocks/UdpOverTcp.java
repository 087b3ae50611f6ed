package dev.umbra.proxy.shadowsocks;

import dev.umbra.core.net.Destination;
import dev.umbra.proxy.socks.SocksAddress;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * sing-box's UDP-over-TCP (UoT) codec. A stream to {@link #MAGIC_V2} starts with a request
 * (is-connect byte, SOCKS5-style destination); one to {@link #MAGIC_V1} has none. Each packet is
 * then [address unless connected] + u16 length + payload, the address in UoT's own form (0x00 IPv4,
 * 0x01 IPv6, 0x02 length-prefixed domain, then the port).
 */
final class UdpOverTcp {
  static final String MAGIC_V1 = "sp.udp-over-tcp.arpa";
  static final String MAGIC_V2 = "sp.v2.udp-over-tcp.arpa";

  private UdpOverTcp() {}

  /** The magic destination a client asks the server for, by UoT version. */
  static Destination magic(int version) {
    return new Destination.Domain(version == 1 ? MAGIC_V1 : MAGIC_V2, 0);
  }

  /** The UoT version a requested destination selects, or 0 for an ordinary destination. */
  static int version(Destination d) {
    if (d instanceof Destination.Domain dom) {
      if (dom.name().equals(MAGIC_V2)) {
        return 2;
      }
      if (dom.name().equals(MAGIC_V1)) {
        return 1;
      }
    }
    return 0;
  }

  /** The v2 request: is-connect and the destination, SOCKS5 address form. */
  record Request(boolean connect, Destination destination) {
    byte[] encode() {
      byte[] a = SocksAddress.encode(destination);
      byte[] b = new byte[1 + a.length];
      b[0] = (byte) (connect ? 1 : 0);
      System.arraycopy(a, 0, b, 1, a.length);
      return b;
    }

    static Request read(DataInputStream in) throws IOException {
      int connect = in.read();
      if (connect < 0) {
        throw new EOFException("stream ended before the UoT request");
      }
      if (connect > 1) {
        throw new ShadowsocksException("UoT request with is-connect byte " + connect);
      }
      return new Request(connect == 1, Addresses.read(in));
    }
  }

  /** A packet's address in UoT's form. */
  static byte[] encodeAddress(Destination d) {
    byte[] host;
    int type;
    if (d instanceof Destination.Ip ip) {
      host = ip.address().getAddress();
      type = ip.address() instanceof Inet4Address ? 0x00 : 0x01;
    } else {
      byte[] name = d.host().getBytes(StandardCharsets.US_ASCII);
      host = new byte[1 + name.length];
      host[0] = (byte) name.length;
      System.arraycopy(name, 0, host, 1, name.length);
      type = 0x02;
    }
    byte[] b = new byte[1 + host.length + 2];
    b[0] = (byte) type;
    System.arraycopy(host, 0, b, 1, host.length);
    b[b.length - 2] = (byte) (d.port() >>> 8);
    b[b.length - 1] = (byte) d.port();
    return b;
  }

  static Destination readAddress(DataInputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      return null; // clean end between packets
    }
    String host;
    InetAddress ip = null;
    switch (type) {
      case 0x00, 0x01 -> {
        byte[] a = new byte[type == 0x00 ? 4 : 16];
        in.readFully(a);
        ip = InetAddress.getByAddress(a);
        host = null;
      }
      case 0x02 -> {
        int n = in.readUnsignedByte();
        if (n == 0) {
          throw new ShadowsocksException("UoT packet with an empty domain");
        }
        host = new String(in.readNBytes(n), StandardCharsets.US_ASCII);
        if (host.length() < n) {
          throw new EOFException("stream ended inside a UoT address");
        }
      }
      default -> throw new ShadowsocksException("UoT address type " + type);
    }
    int port = in.readUnsignedShort();
    return ip != null ? new Destination.Ip(ip, port) : new Destination.Domain(host, port);
  }
}
