package dev.umbra.netstack;

/** UDP (RFC 768) inside IPv4 or IPv6: building datagrams and checking their checksums. */
public final class Udp {
  public static final int HEADER = 8;

  private Udp() {}

  /** Sum of the pseudo header for a transport segment of {@code len} bytes. */
  static long pseudoSum(byte[] src, byte[] dst, int proto, int len) {
    long acc = IpPackets.sum(src, 0, src.length, 0);
    acc = IpPackets.sum(dst, 0, dst.length, acc);
    return acc + proto + len;
  }

  /** An IP packet carrying one UDP datagram; {@code src} and {@code dst} are both 4 or 16 bytes. */
  public static byte[] packet(
      byte[] src, int srcPort, byte[] dst, int dstPort, byte[] data, int off, int len) {
    boolean v4 = src.length == 4;
    int ipHeader = v4 ? 20 : 40;
    int udpLen = HEADER + len;
    byte[] p = new byte[ipHeader + udpLen];
    if (v4) {
      p[0] = 0x45;
      IpPackets.putU16(p, 2, p.length);
      p[8] = 64;
      p[9] = IpPackets.PROTO_UDP;
      System.arraycopy(src, 0, p, 12, 4);
      System.arraycopy(dst, 0, p, 16, 4);
      IpPackets.putU16(p, 10, IpPackets.checksum(p, 0, 20));
    } else {
      p[0] = 0x60;
      IpPackets.putU16(p, 4, udpLen);
      p[6] = IpPackets.PROTO_UDP;
      p[7] = 64;
      System.arraycopy(src, 0, p, 8, 16);
      System.arraycopy(dst, 0, p, 24, 16);
    }
    IpPackets.putU16(p, ipHeader, srcPort);
    IpPackets.putU16(p, ipHeader + 2, dstPort);
    IpPackets.putU16(p, ipHeader + 4, udpLen);
    System.arraycopy(data, off, p, ipHeader + HEADER, len);
    long acc = pseudoSum(src, dst, IpPackets.PROTO_UDP, udpLen);
    int c = IpPackets.fold(IpPackets.sum(p, ipHeader, udpLen, acc));
    IpPackets.putU16(p, ipHeader + 6, c == 0 ? 0xffff : c);
    return p;
  }

  /**
   * Whether the UDP datagram at {@code off} (length {@code udpLen}) has a valid checksum; a zero
   * checksum is allowed only over IPv4.
   */
  static boolean checksumOk(byte[] p, int off, int udpLen, byte[] src, byte[] dst) {
    int stored = IpPackets.u16(p, off + 6);
    if (stored == 0) {
      return src.length == 4;
    }
    long acc = pseudoSum(src, dst, IpPackets.PROTO_UDP, udpLen);
    return IpPackets.fold(IpPackets.sum(p, off, udpLen, acc)) == 0;
  }
}
