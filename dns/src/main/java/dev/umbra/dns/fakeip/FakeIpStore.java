package dev.umbra.dns.fakeip;

import dev.umbra.core.route.rule.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;

/** The FakeIP mappings of one {@code fakeip} server: an IPv4 and/or an IPv6 range. */
public final class FakeIpStore {
  private final FakeIpPool v4;
  private final FakeIpPool v6;
  private final String inet4Range;
  private final String inet6Range;
  private volatile Listener listener;

  /** Told of each new mapping (the cache file persists them). */
  @FunctionalInterface
  public interface Listener {
    void allocated(String domain, InetAddress address);
  }

  /**
   * Ranges as CIDR text (either may be null, not both); bad ones throw IllegalArgumentException.
   */
  public FakeIpStore(String inet4Range, String inet6Range) {
    this.v4 = inet4Range == null ? null : pool(inet4Range, 4);
    this.v6 = inet6Range == null ? null : pool(inet6Range, 16);
    this.inet4Range = inet4Range;
    this.inet6Range = inet6Range;
  }

  public String inet4Range() {
    return inet4Range;
  }

  public String inet6Range() {
    return inet6Range;
  }

  public void listener(Listener l) {
    this.listener = l;
  }

  private static FakeIpPool pool(String text, int length) {
    Cidr c = Cidr.parse(text);
    if (c.network().length != length) {
      throw new IllegalArgumentException(
          "expected an IPv" + (length == 4 ? "4" : "6") + " range, got '" + text + "'");
    }
    try {
      return new FakeIpPool(InetAddress.getByAddress(c.network()), c.prefix());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public boolean hasInet4() {
    return v4 != null;
  }

  public boolean hasInet6() {
    return v6 != null;
  }

  /** The fake address for a domain (allocated on first use). */
  public InetAddress allocate(String domain, boolean inet6) {
    FakeIpPool p = inet6 ? v6 : v4;
    if (p == null) {
      throw new IllegalStateException("no IPv" + (inet6 ? "6" : "4") + " range");
    }
    return p.allocate(domain, listener);
  }

  public Optional<String> lookup(InetAddress address) {
    for (FakeIpPool p : new FakeIpPool[] {v4, v6}) {
      if (p != null && p.contains(address)) {
        return Optional.ofNullable(p.lookup(address));
      }
    }
    return Optional.empty();
  }

  public boolean contains(InetAddress address) {
    return (v4 != null && v4.contains(address)) || (v6 != null && v6.contains(address));
  }

  public void restore(String domain, InetAddress address) {
    for (FakeIpPool p : new FakeIpPool[] {v4, v6}) {
      if (p != null && p.contains(address)) {
        p.restore(domain, address);
      }
    }
  }

  public Map<String, InetAddress> snapshot(boolean inet6) {
    FakeIpPool p = inet6 ? v6 : v4;
    return p == null ? Map.of() : p.snapshot();
  }
}
