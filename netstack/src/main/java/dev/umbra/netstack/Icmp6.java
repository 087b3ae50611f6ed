package dev.umbra.netstack;

import java.util.Arrays;

/** ICMPv6 echo (RFC 4443 §4) inside IPv6: building requests and answering them. */
public final class Icmp6 {
  public static final int ECHO_REQUEST = 128;
  public static final int ECHO_REPLY = 129;

  private Icmp6() {}

  /** An IPv6 packet carrying an echo message of {@code type} from {@code src} to {@code dst}. */
  public static byte[] echo(int type, byte[] src, byte[] dst, int id, int seq, byte[] payload) {
    int icmpLen = 8 + payload.length;
    byte[] p = new byte[40 + icmpLen];
    p[0] = 0x60;
    IpPackets.putU16(p, 4, icmpLen);
    p[6] = IpPackets.PROTO_ICMPV6;
    p[7] = 64;
    System.arraycopy(src, 0, p, 8, 16);
    System.arraycopy(dst, 0, p, 24, 16);
    p[40] = (byte) type;
    IpPackets.putU16(p, 44, id);
    IpPackets.putU16(p, 46, seq);
    System.arraycopy(payload, 0, p, 48, payload.length);
    long acc = Udp.pseudoSum(src, dst, IpPackets.PROTO_ICMPV6, icmpLen);
    IpPackets.putU16(p, 42, IpPackets.fold(IpPackets.sum(p, 40, icmpLen, acc)));
    return p;
  }

  /**
   * The echo reply to an IPv6 echo request of {@code len} bytes at {@code off}, or null if it is
   * not a well-formed echo request (bad lengths or checksum, extension headers).
   */
  public static byte[] replyTo(byte[] p, int off, int len) {
    int total = IpPackets.packetLength(p, off, len);
    if (total < 48
        || IpPackets.version(p, off, len) != 6
        || (p[off + 6] & 0xff) != IpPackets.PROTO_ICMPV6) {
      return null;
    }
    byte[] src = Arrays.copyOfRange(p, off + 8, off + 24);
    byte[] dst = Arrays.copyOfRange(p, off + 24, off + 40);
    int icmpLen = total - 40;
    long acc = Udp.pseudoSum(src, dst, IpPackets.PROTO_ICMPV6, icmpLen);
    if (IpPackets.fold(IpPackets.sum(p, off + 40, icmpLen, acc)) != 0) {
      return null;
    }
    if ((p[off + 40] & 0xff) != ECHO_REQUEST || p[off + 41] != 0) {
      return null;
    }
    return echo(
        ECHO_REPLY,
        dst,
        src,
        IpPackets.u16(p, off + 44),
        IpPackets.u16(p, off + 46),
        Arrays.copyOfRange(p, off + 48, off + total));
  }
}
