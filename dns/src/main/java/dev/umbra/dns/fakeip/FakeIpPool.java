package dev.umbra.dns.fakeip;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands out addresses of one range to domains, one address per domain, in a ring: when the ring is
 * full the oldest address is taken back from its domain. The network address is never used.
 */
final class FakeIpPool {
  /** Most live mappings per family, whatever the range size (bounds memory). */
  static final int MAX_ENTRIES = 65_536;

  private final BigInteger base;
  private final int addressLength;
  private final BigInteger size;
  private final int ring;
  private final int prefix;
  private final byte[] network;
  private final Map<String, Integer> byDomain = new HashMap<>();
  private final String[] byOffset;
  private int next;

  FakeIpPool(InetAddress network, int prefix) {
    this.network = network.getAddress();
    this.prefix = prefix;
    this.addressLength = this.network.length;
    this.base = new BigInteger(1, this.network);
    this.size = BigInteger.ONE.shiftLeft(addressLength * 8 - prefix);
    // offsets 1 .. size-2 (no network, no broadcast-like last address)
    BigInteger usable = size.subtract(BigInteger.TWO);
    if (usable.signum() <= 0) {
      throw new IllegalArgumentException("range too small for FakeIP");
    }
    this.ring = usable.min(BigInteger.valueOf(MAX_ENTRIES)).intValueExact();
    this.byOffset = new String[ring];
  }

  synchronized InetAddress allocate(String domain, FakeIpStore.Listener listener) {
    Integer slot = byDomain.get(domain);
    if (slot == null) {
      slot = next;
      next = (next + 1) % ring;
      String old = byOffset[slot];
      if (old != null) {
        byDomain.remove(old);
      }
      byOffset[slot] = domain;
      byDomain.put(domain, slot);
      if (listener != null) {
        listener.allocated(domain, address(slot));
      }
    }
    return address(slot);
  }

  /** Puts back a mapping read from a store (the same slot, or none if out of range). */
  synchronized void restore(String domain, InetAddress address) {
    Integer slot = slotOf(address);
    if (slot == null) {
      return;
    }
    String old = byOffset[slot];
    if (old != null) {
      byDomain.remove(old);
    }
    byOffset[slot] = domain;
    byDomain.put(domain, slot);
    next = (slot + 1) % ring;
  }

  synchronized String lookup(InetAddress address) {
    Integer slot = slotOf(address);
    return slot == null ? null : byOffset[slot];
  }

  boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != addressLength) {
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
    return (a[full] & mask) == (network[full] & mask);
  }

  private Integer slotOf(InetAddress address) {
    if (!contains(address)) {
      return null;
    }
    BigInteger offset = new BigInteger(1, address.getAddress()).subtract(base);
    if (offset.signum() <= 0 || offset.compareTo(BigInteger.valueOf(ring)) > 0) {
      return null;
    }
    return offset.intValueExact() - 1;
  }

  private InetAddress address(int slot) {
    byte[] raw = base.add(BigInteger.valueOf(slot + 1L)).toByteArray();
    byte[] out = new byte[addressLength];
    int copy = Math.min(raw.length, addressLength);
    System.arraycopy(raw, raw.length - copy, out, addressLength - copy, copy);
    try {
      return InetAddress.getByAddress(out);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  synchronized Map<String, InetAddress> snapshot() {
    Map<String, InetAddress> out = new HashMap<>();
    byDomain.forEach((d, s) -> out.put(d, address(s)));
    return out;
  }
}
