package dev.umbra.netstack;

import java.util.Arrays;

/** ICMPv4 echo (RFC 792) inside IPv4: building requests and answering them. */
public final class Icmp4 {
  public static final int ECHO_REPLY = 0;
  public static final int ECHO_REQUEST = 8;

  private Icmp4() {}

  /** An IPv4 packet carrying an echo message of {@code type} from {@code src} to {@code dst}. */
  public static byte[] echo(int type, byte[] src, byte[] dst, int id, int seq, byte[] payload) {
    int len = 20 + 8 + payload.length;
    byte[] p = new byte[len];
    p[0] = 0x45;
    IpPackets.putU16(p, 2, len);
    p[8] = 64;
    p[9] = IpPackets.PROTO_ICMP;
    System.arraycopy(src, 0, p, 12, 4);
    System.arraycopy(dst, 0, p, 16, 4);
    IpPackets.putU16(p, 10, IpPackets.checksum(p, 0, 20));
    p[20] = (byte) type;
    IpPackets.putU16(p, 24, id);
    IpPackets.putU16(p, 26, seq);
    System.arraycopy(payload, 0, p, 28, payload.length);
    IpPackets.putU16(p, 22, IpPackets.checksum(p, 20, len - 20));
    return p;
  }

  /**
   * The echo reply to an IPv4 echo request of {@code len} bytes at {@code off}, or null if it is
   * not a well-formed echo request (bad lengths or checksums, fragments).
   */
  public static byte[] replyTo(byte[] p, int off, int len) {
    int total = IpPackets.packetLength(p, off, len);
    if (total < 0 || IpPackets.version(p, off, len) != 4 || p[off + 9] != IpPackets.PROTO_ICMP) {
      return null;
    }
    int ihl = (p[off] & 0xf) * 4;
    int flagsFrag = IpPackets.u16(p, off + 6);
    if ((flagsFrag & 0x3fff) != 0 || total - ihl < 8) {
      return null; // fragmented, or too short for an ICMP header
    }
    if (IpPackets.checksum(p, off, ihl) != 0
        || IpPackets.checksum(p, off + ihl, total - ihl) != 0) {
      return null;
    }
    if ((p[off + ihl] & 0xff) != ECHO_REQUEST || p[off + ihl + 1] != 0) {
      return null;
    }
    return echo(
        ECHO_REPLY,
        Arrays.copyOfRange(p, off + 16, off + 20),
        Arrays.copyOfRange(p, off + 12, off + 16),
        IpPackets.u16(p, off + ihl + 4),
        IpPackets.u16(p, off + ihl + 6),
        Arrays.copyOfRange(p, off + ihl + 8, off + total));
  }
}
