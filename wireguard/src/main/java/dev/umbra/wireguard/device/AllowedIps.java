package dev.umbra.wireguard.device;

import dev.umbra.netstack.IpPrefix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Cryptokey routing: the peer whose allowed IPs hold a destination, longest prefix first. */
final class AllowedIps {
  private record Entry(IpPrefix prefix, Peer peer) {}

  private final List<Entry> entries;

  AllowedIps(List<Peer> peers) {
    List<Entry> e = new ArrayList<>();
    for (Peer p : peers) {
      for (IpPrefix prefix : p.config.allowedIps()) {
        e.add(new Entry(prefix, p));
      }
    }
    e.sort(Comparator.comparingInt((Entry x) -> x.prefix().bits()).reversed());
    this.entries = List.copyOf(e);
  }

  /** The peer for the address at {@code p[off, off+len)}, or null. */
  Peer lookup(byte[] p, int off, int len) {
    for (Entry e : entries) {
      if (e.prefix().contains(p, off, len)) {
        return e.peer();
      }
    }
    return null;
  }
}
