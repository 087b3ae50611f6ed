package dev.umbra.dns.router;

import dev.umbra.core.net.Destination;
import java.net.InetAddress;
import org.xbill.DNS.ClientSubnetOption;

/** EDNS0 client subnet (RFC 7871) from sing-box's text: an address or a prefix. */
final class ClientSubnet {
  private ClientSubnet() {}

  static ClientSubnetOption parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    InetAddress a = Destination.IpLiterals.parse(slash >= 0 ? t.substring(0, slash) : t);
    if (a == null) {
      throw new IllegalArgumentException("expected an address or prefix, got '" + text + "'");
    }
    int max = a.getAddress().length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad prefix length in '" + text + "'", e);
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("bad prefix length in '" + text + "'");
      }
    }
    return new ClientSubnetOption(prefix, a);
  }
}
