package dev.umbra.core.route.srs;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code ip_cidr} and {@code source_ip_cidr} items of a binary rule-set: sorted, disjoint,
 * non-adjacent address ranges (IPv4 before IPv6), as Go's netipx IPSet holds them.
 */
public final class IpSet {
  /** From and to (inclusive), 4 or 16 bytes each. */
  // Arrays stay inside this class.
  @SuppressWarnings("ArrayRecordComponent")
  record Range(byte[] from, byte[] to) {}

  private static final Comparator<byte[]> ORDER =
      Comparator.<byte[]>comparingInt(a -> a.length).thenComparing(Arrays::compareUnsigned);

  private final List<Range> ranges;

  private IpSet(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  List<Range> ranges() {
    return ranges;
  }

  /** Builds the set from CIDRs or bare addresses, merging overlapping and adjacent ranges. */
  public static IpSet of(List<String> cidrs) {
    List<Range> raw = new ArrayList<>();
    for (String c : cidrs) {
      IpPrefix p = IpPrefix.parse(c);
      byte[] from = p.address().clone();
      byte[] to = p.address().clone();
      for (int i = 0; i < from.length; i++) {
        int keep = Math.max(0, Math.min(8, p.bits() - i * 8));
        int mask = (0xff << (8 - keep)) & 0xff;
        from[i] = (byte) (from[i] & mask);
        to[i] = (byte) (to[i] | ~mask);
      }
      raw.add(new Range(from, to));
    }
    raw.sort((a, b) -> ORDER.compare(a.from(), b.from()));
    List<Range> out = new ArrayList<>();
    for (Range r : raw) {
      if (!out.isEmpty()) {
        Range last = out.getLast();
        byte[] next = increment(last.to());
        if (last.from().length == r.from().length
            && (next == null || ORDER.compare(r.from(), next) <= 0)) {
          if (ORDER.compare(r.to(), last.to()) > 0) {
            out.set(out.size() - 1, new Range(last.from(), r.to()));
          }
          continue;
        }
      }
      out.add(r);
    }
    return new IpSet(out);
  }

  /** The address plus one, or null if it is the last of its family. */
  private static byte[] increment(byte[] a) {
    byte[] b = a.clone();
    for (int i = b.length - 1; i >= 0; i--) {
      if (++b[i] != 0) {
        return b;
      }
    }
    return null;
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    int lo = 0;
    int hi = ranges.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Range r = ranges.get(mid);
      if (ORDER.compare(a, r.from()) < 0) {
        hi = mid - 1;
      } else if (ORDER.compare(a, r.to()) > 0) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /** The fewest CIDRs covering exactly the set, in order, as netipx's Prefixes() lists them. */
  public List<String> prefixes() {
    List<String> out = new ArrayList<>();
    for (Range r : ranges) {
      int bits = r.from().length * 8;
      BigInteger from = new BigInteger(1, r.from());
      BigInteger to = new BigInteger(1, r.to());
      while (from.compareTo(to) <= 0) {
        // The largest aligned block starting at `from` that does not pass `to`.
        int size = from.signum() == 0 ? bits : Math.min(bits, from.getLowestSetBit());
        while (size > 0
            && from.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(to)
                > 0) {
          size--;
        }
        out.add(IpText.format(toBytes(from, r.from().length)) + "/" + (bits - size));
        from = from.add(BigInteger.ONE.shiftLeft(size));
      }
    }
    return out;
  }

  private static byte[] toBytes(BigInteger v, int len) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[len];
    int n = Math.min(len, raw.length);
    System.arraycopy(raw, raw.length - n, out, len - n, n);
    return out;
  }

  static IpSet read(ByteReader in) throws SrsFormatException {
    int version = in.u8();
    if (version != 1) {
      throw new SrsFormatException("unknown IP set version " + version);
    }
    // Each range takes at least 10 bytes (two lengths and two IPv4 addresses).
    int n = in.checkCount(in.u64(), 10);
    List<Range> ranges = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] from = in.lengthPrefixed();
      byte[] to = in.lengthPrefixed();
      if ((from.length != 4 && from.length != 16) || to.length != from.length) {
        throw new SrsFormatException(
            "IP range of " + from.length + " and " + to.length + " byte addresses");
      }
      if (ORDER.compare(from, to) > 0) {
        throw new SrsFormatException("IP range ends before it starts");
      }
      if (i > 0 && ORDER.compare(from, ranges.getLast().to()) <= 0) {
        throw new SrsFormatException("IP ranges out of order or overlapping");
      }
      ranges.add(new Range(from, to));
    }
    return new IpSet(ranges);
  }

  void write(ByteWriter out) {
    out.u8(1);
    out.u64(ranges.size());
    for (Range r : ranges) {
      out.lengthPrefixed(r.from());
      out.lengthPrefixed(r.to());
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof IpSet s) || s.ranges.size() != ranges.size()) {
      return false;
    }
    for (int i = 0; i < ranges.size(); i++) {
      Range a = ranges.get(i);
      Range b = s.ranges.get(i);
      if (!Arrays.equals(a.from(), b.from()) || !Arrays.equals(a.to(), b.to())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return ranges.size();
  }

  @Override
  public String toString() {
    return String.join(" ", prefixes());
  }
}
