package dev.umbra.netstack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Reading the fixed parts of IPv4 and IPv6 headers, and the Internet checksum. */
public final class IpPackets {
  public static final int PROTO_ICMP = 1;
  public static final int PROTO_TCP = 6;
  public static final int PROTO_UDP = 17;
  public static final int PROTO_ICMPV6 = 58;

  private IpPackets() {}

  /** 4, 6, or 0 if {@code len} bytes cannot hold a header of the version they claim. */
  public static int version(byte[] p, int off, int len) {
    if (len < 1) {
      return 0;
    }
    int v = (p[off] >> 4) & 0xf;
    if (v == 4 && len >= 20) {
      return 4;
    }
    if (v == 6 && len >= 40) {
      return 6;
    }
    return 0;
  }

  /**
   * The packet's own length from its header (IPv4 total length, IPv6 payload length + 40), or -1 if
   * that is larger than {@code len} or shorter than the header.
   */
  public static int packetLength(byte[] p, int off, int len) {
    return switch (version(p, off, len)) {
      case 4 -> {
        int total = u16(p, off + 2);
        int ihl = (p[off] & 0xf) * 4;
        yield total <= len && total >= ihl && ihl >= 20 ? total : -1;
      }
      case 6 -> {
        int total = u16(p, off + 4) + 40;
        yield total <= len ? total : -1;
      }
      default -> -1;
    };
  }

  /** Offset of the source address relative to the packet start (12 for v4, 8 for v6). */
  public static int sourceOffset(int version) {
    return version == 4 ? 12 : 8;
  }

  /** Offset of the destination address relative to the packet start (16 for v4, 24 for v6). */
  public static int destinationOffset(int version) {
    return version == 4 ? 16 : 24;
  }

  public static int addressLength(int version) {
    return version == 4 ? 4 : 16;
  }

  public static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }

  public static void putU16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /**
   * One's-complement sum of {@code len} bytes, not yet folded or inverted. Adds eight bytes at a
   * time as two 32-bit words (2^16 = 1 modulo 0xffff, so the fold gives the 16-bit sum).
   */
  public static long sum(byte[] b, int off, int len, long acc) {
    int i = 0;
    for (; i + 7 < len; i += 8) {
      long w = (long) LONGS.get(b, off + i);
      acc += (w >>> 32) + (w & 0xffffffffL);
    }
    for (; i + 1 < len; i += 2) {
      acc += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
    }
    if ((len & 1) != 0) {
      acc += (b[off + len - 1] & 0xff) << 8;
    }
    return acc;
  }

  /** Folds and inverts a sum into the 16-bit Internet checksum. */
  public static int fold(long acc) {
    while ((acc >>> 16) != 0) {
      acc = (acc & 0xffff) + (acc >>> 16);
    }
    return (int) (~acc & 0xffff);
  }

  public static int checksum(byte[] b, int off, int len) {
    return fold(sum(b, off, len, 0));
  }
}
