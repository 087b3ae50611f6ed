package dev.umbra.core.route.rule;

import java.net.InetAddress;
import java.util.List;

/** Non-public addresses, as sing-box's ip_is_private understands them. */
public final class PrivateAddresses {
  private PrivateAddresses() {}

  private static final List<Cidr> EXTRA =
      List.of(Cidr.parse("100.64.0.0/10"), Cidr.parse("fc00::/7"), Cidr.parse("0.0.0.0/8"));

  public static boolean isPrivate(InetAddress a) {
    if (a.isLoopbackAddress()
        || a.isSiteLocalAddress()
        || a.isLinkLocalAddress()
        || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    for (Cidr c : EXTRA) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }
}
