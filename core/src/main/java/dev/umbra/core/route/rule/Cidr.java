package dev.umbra.core.route.rule;

import dev.umbra.core.net.Destination;
import java.net.InetAddress;

/**
 * An IP prefix such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a /32 or
 * /128.
 */
// The array is never exposed mutably; equals and hashCode compare contents.
@SuppressWarnings("ArrayRecordComponent")
public record Cidr(byte[] network, int prefix) {

  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String ip = slash < 0 ? text : text.substring(0, slash);
    InetAddress address = Destination.IpLiterals.parse(ip);
    if (address == null) {
      throw new IllegalArgumentException("invalid IP prefix '" + text + "'");
    }
    byte[] bytes = address.getAddress();
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid IP prefix '" + text + "'", e);
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
      }
    }
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      bytes[i] &= (byte) (0xff << (8 - keep));
    }
    return new Cidr(bytes, prefix);
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & 0xff);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
