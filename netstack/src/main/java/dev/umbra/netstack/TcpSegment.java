package dev.umbra.netstack;

/**
 * A TCP segment (RFC 9293) with the options this stack speaks: MSS, window scale and timestamps
 * (RFC 7323), SACK-permitted and SACK blocks (RFC 2018). Parsing checks the data offset, every
 * option length and the checksum over the IPv4/IPv6 pseudo header; building writes the IP header,
 * the TCP header, options and both checksums. The payload is never copied by parsing: it stays in
 * the packet array ({@link #data}, {@link #dataOff}, {@link #dataLen}).
 *
 * <p>A mutable holder so a connection can reuse one for every segment it sends.
 */
public final class TcpSegment {
  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;

  public static final int HEADER = 20;
  static final int MAX_SACK_BLOCKS = 4;

  public int srcPort;
  public int dstPort;
  public int seq;
  public int ack;
  public int flags;

  /** The raw 16-bit window field (not scaled). */
  public int window;

  /** MSS option, or -1 if absent. */
  public int mss = -1;

  /** Window scale shift, or -1 if absent. */
  public int wscale = -1;

  public boolean sackPermitted;
  public boolean hasTimestamp;
  public int tsVal;
  public int tsEcr;

  /** Number of SACK blocks; block i is [{@code sack[2i]}, {@code sack[2i+1]}). */
  public int sackCount;

  public final int[] sack = new int[2 * MAX_SACK_BLOCKS];

  /** Payload: for a parsed segment, a view into the packet; for building, the bytes to send. */
  public byte[] data;

  public int dataOff;
  public int dataLen;

  /** Why a segment was refused by {@link #parse}; cheap (no stack trace). */
  public static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  public boolean has(int flag) {
    return (flags & flag) != 0;
  }

  /** Sequence space the segment occupies: payload plus one each for SYN and FIN. */
  public int seqLength() {
    return dataLen + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
  }

  public void reset() {
    srcPort = dstPort = seq = ack = flags = window = 0;
    mss = wscale = -1;
    sackPermitted = hasTimestamp = false;
    tsVal = tsEcr = 0;
    sackCount = 0;
    data = null;
    dataOff = dataLen = 0;
  }

  /**
   * Parses the TCP segment of {@code len} bytes at {@code off} (the IP payload). {@code ip} holds
   * the source and destination addresses at {@code srcOff} and {@code dstOff} ({@code alen} = 4 or
   * 16 bytes each) for the pseudo-header checksum.
   */
  public static TcpSegment parse(
      byte[] p, int off, int len, byte[] ip, int srcOff, int dstOff, int alen)
      throws MalformedException {
    return parse(p, off, len, ip, srcOff, dstOff, alen, true);
  }

  /** As {@link #parse}, verifying the checksum only if {@code verify} (see NetStack). */
  static TcpSegment parse(
      byte[] p, int off, int len, byte[] ip, int srcOff, int dstOff, int alen, boolean verify)
      throws MalformedException {
    if (len < HEADER) {
      throw new MalformedException("segment of " + len + " bytes is shorter than a TCP header");
    }
    int dataOffset = ((p[off + 12] >> 4) & 0xf) * 4;
    if (dataOffset < HEADER || dataOffset > len) {
      throw new MalformedException("bad data offset " + dataOffset + " in " + len + " bytes");
    }
    if (verify) {
      long acc = IpPackets.sum(ip, srcOff, alen, 0);
      acc = IpPackets.sum(ip, dstOff, alen, acc);
      acc += IpPackets.PROTO_TCP + len;
      if (IpPackets.fold(IpPackets.sum(p, off, len, acc)) != 0) {
        throw new MalformedException("bad TCP checksum");
      }
    }
    TcpSegment s = new TcpSegment();
    s.srcPort = IpPackets.u16(p, off);
    s.dstPort = IpPackets.u16(p, off + 2);
    s.seq = getInt(p, off + 4);
    s.ack = getInt(p, off + 8);
    s.flags = p[off + 13] & 0x3f;
    s.window = IpPackets.u16(p, off + 14);
    s.parseOptions(p, off + HEADER, off + dataOffset);
    s.data = p;
    s.dataOff = off + dataOffset;
    s.dataLen = len - dataOffset;
    return s;
  }

  private void parseOptions(byte[] p, int i, int end) throws MalformedException {
    while (i < end) {
      int kind = p[i] & 0xff;
      if (kind == 0) {
        return;
      }
      if (kind == 1) {
        i++;
        continue;
      }
      if (i + 1 >= end) {
        throw new MalformedException("option " + kind + " has no length byte");
      }
      int olen = p[i + 1] & 0xff;
      if (olen < 2 || i + olen > end) {
        throw new MalformedException(
            "option " + kind + " length " + olen + " runs past the header");
      }
      switch (kind) {
        case 2 -> {
          expect(kind, olen, olen == 4);
          mss = IpPackets.u16(p, i + 2);
        }
        case 3 -> {
          expect(kind, olen, olen == 3);
          wscale = Math.min(p[i + 2] & 0xff, 14); // RFC 7323 2.3: larger shifts are taken as 14
        }
        case 4 -> {
          expect(kind, olen, olen == 2);
          sackPermitted = true;
        }
        case 5 -> {
          expect(kind, olen, olen >= 10 && (olen - 2) % 8 == 0 && olen <= 34);
          sackCount = (olen - 2) / 8;
          for (int b = 0; b < sackCount; b++) {
            sack[2 * b] = getInt(p, i + 2 + 8 * b);
            sack[2 * b + 1] = getInt(p, i + 6 + 8 * b);
          }
        }
        case 8 -> {
          expect(kind, olen, olen == 10);
          hasTimestamp = true;
          tsVal = getInt(p, i + 2);
          tsEcr = getInt(p, i + 6);
        }
        default -> {
          // unknown options are skipped by their length
        }
      }
      i += olen;
    }
  }

  private static void expect(int kind, int olen, boolean ok) throws MalformedException {
    if (!ok) {
      throw new MalformedException("option " + kind + " has a bad length " + olen);
    }
  }

  /** Length of the options this segment carries, padded to 4 bytes. */
  public int optionsLength() {
    int n = 0;
    if ((flags & SYN) != 0) {
      n += mss >= 0 ? 4 : 0;
      n += sackPermitted ? 2 : 0;
      n += hasTimestamp ? 10 : 0;
      n += wscale >= 0 ? 3 : 0;
    } else {
      n += hasTimestamp ? 12 : 0;
      n += sackCount > 0 ? 4 + 8 * sackCount : 0;
    }
    return (n + 3) & ~3;
  }

  /** IP plus TCP header length (without payload) of this segment. */
  public int headerLength(boolean v4) {
    return (v4 ? 20 : 40) + HEADER + optionsLength();
  }

  /** Builds a fresh IP packet from {@code src} to {@code dst} (4 or 16 bytes each). */
  public byte[] build(byte[] src, byte[] dst) {
    boolean v4 = src.length == 4;
    int hl = headerLength(v4);
    byte[] out = new byte[hl + dataLen];
    if (dataLen > 0) {
      System.arraycopy(data, dataOff, out, hl, dataLen);
    }
    encodeInPlace(out, 0, src, dst, dataLen);
    return out;
  }

  /**
   * Writes the IP and TCP headers into {@code buf} at {@code off}, for a payload of {@code
   * payloadLen} bytes that the caller already placed at {@code off + headerLength(v4)}; fills both
   * checksums. Returns the packet length.
   */
  public int encodeInPlace(byte[] buf, int off, byte[] src, byte[] dst, int payloadLen) {
    boolean v4 = src.length == 4;
    int ipLen = v4 ? 20 : 40;
    int optLen = optionsLength();
    int tcpLen = HEADER + optLen + payloadLen;
    int total = ipLen + tcpLen;
    if (v4) {
      buf[off] = 0x45;
      buf[off + 1] = 0;
      IpPackets.putU16(buf, off + 2, total);
      buf[off + 4] = 0;
      buf[off + 5] = 0;
      buf[off + 6] = 0x40; // don't fragment: we size segments to the MTU ourselves
      buf[off + 7] = 0;
      buf[off + 8] = 64;
      buf[off + 9] = IpPackets.PROTO_TCP;
      buf[off + 10] = 0;
      buf[off + 11] = 0;
      System.arraycopy(src, 0, buf, off + 12, 4);
      System.arraycopy(dst, 0, buf, off + 16, 4);
      IpPackets.putU16(buf, off + 10, IpPackets.checksum(buf, off, 20));
    } else {
      buf[off] = 0x60;
      buf[off + 1] = 0;
      buf[off + 2] = 0;
      buf[off + 3] = 0;
      IpPackets.putU16(buf, off + 4, tcpLen);
      buf[off + 6] = IpPackets.PROTO_TCP;
      buf[off + 7] = 64;
      System.arraycopy(src, 0, buf, off + 8, 16);
      System.arraycopy(dst, 0, buf, off + 24, 16);
    }
    int t = off + ipLen;
    IpPackets.putU16(buf, t, srcPort);
    IpPackets.putU16(buf, t + 2, dstPort);
    putInt(buf, t + 4, seq);
    putInt(buf, t + 8, ack);
    buf[t + 12] = (byte) (((HEADER + optLen) / 4) << 4);
    buf[t + 13] = (byte) flags;
    IpPackets.putU16(buf, t + 14, window);
    buf[t + 16] = 0;
    buf[t + 17] = 0;
    buf[t + 18] = 0;
    buf[t + 19] = 0;
    writeOptions(buf, t + HEADER, optLen);
    long acc = IpPackets.sum(src, 0, src.length, 0);
    acc = IpPackets.sum(dst, 0, dst.length, acc);
    acc += IpPackets.PROTO_TCP + tcpLen;
    IpPackets.putU16(buf, t + 16, IpPackets.fold(IpPackets.sum(buf, t, tcpLen, acc)));
    return total;
  }

  private void writeOptions(byte[] b, int i, int optLen) {
    int end = i + optLen;
    if ((flags & SYN) != 0) {
      if (mss >= 0) {
        b[i] = 2;
        b[i + 1] = 4;
        IpPackets.putU16(b, i + 2, mss);
        i += 4;
      }
      if (sackPermitted) {
        b[i] = 4;
        b[i + 1] = 2;
        i += 2;
      }
      if (hasTimestamp) {
        i = writeTimestamp(b, i);
      }
      if (wscale >= 0) {
        b[i] = 3;
        b[i + 1] = 3;
        b[i + 2] = (byte) wscale;
        i += 3;
      }
    } else {
      if (hasTimestamp) {
        b[i] = 1;
        b[i + 1] = 1;
        i = writeTimestamp(b, i + 2);
      }
      if (sackCount > 0) {
        b[i] = 1;
        b[i + 1] = 1;
        b[i + 2] = 5;
        b[i + 3] = (byte) (2 + 8 * sackCount);
        i += 4;
        for (int k = 0; k < 2 * sackCount; k++) {
          putInt(b, i, sack[k]);
          i += 4;
        }
      }
    }
    while (i < end) {
      b[i++] = 0; // end of options, padding
    }
  }

  private int writeTimestamp(byte[] b, int i) {
    b[i] = 8;
    b[i + 1] = 10;
    putInt(b, i + 2, tsVal);
    putInt(b, i + 6, tsEcr);
    return i + 10;
  }

  static int getInt(byte[] b, int off) {
    return ((b[off] & 0xff) << 24)
        | ((b[off + 1] & 0xff) << 16)
        | ((b[off + 2] & 0xff) << 8)
        | (b[off + 3] & 0xff);
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  @Override
  public String toString() {
    StringBuilder f = new StringBuilder();
    String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};
    for (int i = 0; i < names.length; i++) {
      if ((flags & (1 << i)) != 0) {
        f.append(f.isEmpty() ? "" : "|").append(names[i]);
      }
    }
    return srcPort
        + ">"
        + dstPort
        + " ["
        + f
        + "] seq="
        + Integer.toUnsignedString(seq)
        + " ack="
        + Integer.toUnsignedString(ack)
        + " win="
        + window
        + " len="
        + dataLen;
  }
}
