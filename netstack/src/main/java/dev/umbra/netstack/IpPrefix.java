package dev.umbra.netstack;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 prefix such as {@code 10.0.0.0/24} or {@code fd00::/8}. */
public record IpPrefix(InetAddress address, int bits) {
  public IpPrefix {
    int max = address instanceof Inet4Address ? 32 : 128;
    if (bits < 0 || bits > max) {
      throw new IllegalArgumentException("prefix length " + bits + " out of range for " + address);
    }
  }

  /** Parses {@code addr/bits}; a bare address is a host prefix. Never resolves names. */
  public static IpPrefix parse(String s) {
    int slash = s.indexOf('/');
    String host = slash < 0 ? s : s.substring(0, slash);
    if (host.isEmpty()
        || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      throw new IllegalArgumentException("not an IP prefix: '" + s + "'");
    }
    InetAddress a;
    try {
      a = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP prefix: '" + s + "'", e);
    }
    int max = a instanceof Inet4Address ? 32 : 128;
    int bits;
    try {
      bits = slash < 0 ? max : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in '" + s + "'", e);
    }
    return new IpPrefix(a, bits);
  }

  public boolean isIpv4() {
    return address instanceof Inet4Address;
  }

  /** Whether the address in {@code addr[off, off+len)} (4 or 16 bytes) lies in this prefix. */
  public boolean contains(byte[] addr, int off, int len) {
    byte[] mine = address.getAddress();
    if (mine.length != len) {
      return false;
    }
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (mine[i] != addr[off + i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (mine[full] & mask) == (addr[off + full] & mask);
  }

  public boolean contains(InetAddress a) {
    byte[] b = a.getAddress();
    return contains(b, 0, b.length);
  }

  @Override
  public String toString() {
    return address.getHostAddress() + "/" + bits;
  }
}
