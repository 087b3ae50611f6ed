package dev.umbra.netstack;

import java.net.InetSocketAddress;

/** A connection's four-tuple, built straight from packet bytes without allocating addresses. */
record TcpKey(long localHi, long localLo, long remoteHi, long remoteLo, int ports) {
  private static final long V4 =
      0x5634_0000_0000_0000L; // marks IPv4 so it never equals an IPv6 key

  static TcpKey of(byte[] p, int localOff, int localPort, int remoteOff, int remotePort, int alen) {
    long lh;
    long ll;
    long rh;
    long rl;
    if (alen == 4) {
      lh = V4;
      rh = V4;
      ll = TcpSegment.getInt(p, localOff) & 0xffffffffL;
      rl = TcpSegment.getInt(p, remoteOff) & 0xffffffffL;
    } else {
      lh = getLong(p, localOff);
      ll = getLong(p, localOff + 8);
      rh = getLong(p, remoteOff);
      rl = getLong(p, remoteOff + 8);
    }
    return new TcpKey(lh, ll, rh, rl, (localPort << 16) | remotePort);
  }

  /** Whether this is the key {@link #of(byte[], int, int, int, int, int)} would build. */
  boolean matches(byte[] p, int localOff, int localPort, int remoteOff, int remotePort, int alen) {
    if (ports != ((localPort << 16) | remotePort)) {
      return false;
    }
    if (alen == 4) {
      return localHi == V4
          && localLo == (TcpSegment.getInt(p, localOff) & 0xffffffffL)
          && remoteLo == (TcpSegment.getInt(p, remoteOff) & 0xffffffffL);
    }
    return localHi == getLong(p, localOff)
        && localLo == getLong(p, localOff + 8)
        && remoteHi == getLong(p, remoteOff)
        && remoteLo == getLong(p, remoteOff + 8);
  }

  static TcpKey of(InetSocketAddress local, InetSocketAddress remote) {
    byte[] l = local.getAddress().getAddress();
    byte[] r = remote.getAddress().getAddress();
    return of(l, 0, local.getPort(), r, 0, remote.getPort(), l.length);
  }

  private static TcpKey of(byte[] l, int lo, int lport, byte[] r, int ro, int rport, int alen) {
    if (alen == 4) {
      return new TcpKey(
          V4,
          TcpSegment.getInt(l, lo) & 0xffffffffL,
          V4,
          TcpSegment.getInt(r, ro) & 0xffffffffL,
          (lport << 16) | rport);
    }
    return new TcpKey(
        getLong(l, lo),
        getLong(l, lo + 8),
        getLong(r, ro),
        getLong(r, ro + 8),
        (lport << 16) | rport);
  }

  private static long getLong(byte[] b, int off) {
    return ((long) TcpSegment.getInt(b, off) << 32) | (TcpSegment.getInt(b, off + 4) & 0xffffffffL);
  }
}
