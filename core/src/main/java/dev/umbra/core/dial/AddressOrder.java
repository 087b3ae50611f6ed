package dev.umbra.core.dial;

import dev.umbra.core.config.DomainStrategy;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Applies a {@link DomainStrategy} to resolved addresses: filters or reorders by family. */
public final class AddressOrder {
  private AddressOrder() {}

  public static List<InetAddress> apply(DomainStrategy strategy, List<InetAddress> addresses) {
    if (strategy == null || strategy == DomainStrategy.AS_IS) {
      return addresses;
    }
    List<InetAddress> v4 = new ArrayList<>();
    List<InetAddress> v6 = new ArrayList<>();
    for (InetAddress a : addresses) {
      (a instanceof Inet6Address ? v6 : v4).add(a);
    }
    List<InetAddress> out = new ArrayList<>();
    switch (strategy) {
      case IPV4_ONLY -> out.addAll(v4);
      case IPV6_ONLY -> out.addAll(v6);
      case PREFER_IPV4 -> {
        out.addAll(v4);
        out.addAll(v6);
      }
      case PREFER_IPV6 -> {
        out.addAll(v6);
        out.addAll(v4);
      }
      case AS_IS -> out.addAll(addresses);
    }
    return out;
  }

  public static boolean isV4(InetAddress a) {
    return a instanceof Inet4Address;
  }
}
