package dev.umbra.dns.dhcp;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DHCPv4 wire format (RFC 2131 §2, options RFC 2132, long options RFC 3396): bytes in, bytes out,
 * no sockets. The parser checks every length against the datagram and refuses what it cannot read;
 * it never throws anything but {@link DhcpFormatException}.
 */
public final class DhcpCodec {
  /** The fixed BOOTP header up to the options, without the magic cookie. */
  static final int HEADER = 236;

  /** RFC 1497 / RFC 2131 §3: the options start with 99.130.83.99. */
  static final int MAGIC_COOKIE = 0x63825363;

  /** BOOTP's minimum message (RFC 1542 §2.1): some relays and servers drop shorter ones. */
  static final int MIN_SIZE = 300;

  /** Larger than any DHCP message on an Ethernet link; more is not a DHCP answer we accept. */
  public static final int MAX_SIZE = 1500;

  private static final int CHADDR = 28;
  private static final int SNAME = 44;
  private static final int FILE = 108;

  private DhcpCodec() {}

  /** A request's wire form, padded to {@link #MIN_SIZE}; option data longer than 255 is split. */
  public static byte[] encode(DhcpMessage m) {
    byte[] chaddr = m.chaddr();
    if (chaddr.length > 16) {
      throw new IllegalArgumentException("chaddr longer than 16 bytes");
    }
    ByteArrayOutputStream opts = new ByteArrayOutputStream();
    for (Map.Entry<Integer, byte[]> e : m.options().entrySet()) {
      int code = e.getKey();
      if (code <= DhcpMessage.OPT_PAD || code >= DhcpMessage.OPT_END) {
        throw new IllegalArgumentException("option code " + code + " cannot carry data");
      }
      byte[] v = e.getValue();
      int off = 0;
      do {
        int n = Math.min(255, v.length - off);
        opts.write(code);
        opts.write(n);
        opts.write(v, off, n);
        off += n;
      } while (off < v.length);
    }
    opts.write(DhcpMessage.OPT_END);
    int size = Math.max(MIN_SIZE, HEADER + 4 + opts.size());
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put((byte) m.op());
    b.put((byte) 1); // htype: Ethernet
    b.put((byte) chaddr.length);
    b.put((byte) 0); // hops
    b.putInt(m.xid());
    b.putShort((short) 0); // secs
    b.putShort((short) m.flags());
    b.put(bytes(m.ciaddr()));
    b.put(bytes(m.yiaddr()));
    b.putInt(0); // siaddr
    b.putInt(0); // giaddr
    b.put(chaddr);
    b.position(HEADER);
    b.putInt(MAGIC_COOKIE);
    b.put(opts.toByteArray());
    return b.array();
  }

  private static byte[] bytes(Inet4Address a) {
    return a == null ? new byte[4] : a.getAddress();
  }

  /** Reads one datagram; the options are joined per code (RFC 3396), overloads followed. */
  public static DhcpMessage parse(byte[] wire, int off, int len) throws DhcpFormatException {
    if (off < 0 || len < 0 || off + len > wire.length) {
      throw new IllegalArgumentException("bad range");
    }
    if (len < HEADER + 4) {
      throw new DhcpFormatException("too short for a DHCP message: " + len + " bytes");
    }
    if (len > MAX_SIZE) {
      throw new DhcpFormatException("longer than " + MAX_SIZE + " bytes: " + len);
    }
    ByteBuffer b = ByteBuffer.wrap(wire, off, len).slice();
    int op = b.get(0) & 0xff;
    if (op != DhcpMessage.BOOTREQUEST && op != DhcpMessage.BOOTREPLY) {
      throw new DhcpFormatException("bad op " + op);
    }
    int hlen = b.get(2) & 0xff;
    if (hlen > 16) {
      throw new DhcpFormatException("hardware address length " + hlen + " > 16");
    }
    if (b.getInt(HEADER) != MAGIC_COOKIE) {
      throw new DhcpFormatException(
          "bad magic cookie 0x" + Integer.toHexString(b.getInt(HEADER)) + " (a BOOTP message?)");
    }
    int xid = b.getInt(4);
    int flags = b.getShort(10) & 0xffff;
    Inet4Address ciaddr = DhcpOptions.address(wire, off + 12);
    Inet4Address yiaddr = DhcpOptions.address(wire, off + 16);
    byte[] chaddr = new byte[hlen];
    b.get(CHADDR, chaddr);

    Map<Integer, ByteArrayOutputStream> joined = new LinkedHashMap<>();
    readOptions(wire, off + HEADER + 4, len - HEADER - 4, joined, "options");
    ByteArrayOutputStream overload = joined.remove(DhcpMessage.OPT_OVERLOAD);
    if (overload != null) {
      byte[] o = overload.toByteArray();
      if (o.length != 1 || o[0] < 1 || o[0] > 3) {
        throw new DhcpFormatException("option overload (52): bad value");
      }
      // RFC 2131 §4.1: options, then file, then sname
      if ((o[0] & 1) != 0) {
        readOptions(wire, off + FILE, 128, joined, "file field");
      }
      if ((o[0] & 2) != 0) {
        readOptions(wire, off + SNAME, 64, joined, "sname field");
      }
      if (joined.containsKey(DhcpMessage.OPT_OVERLOAD)) {
        throw new DhcpFormatException("option overload (52) inside an overloaded field");
      }
    }
    Map<Integer, byte[]> options = new LinkedHashMap<>();
    joined.forEach((k, v) -> options.put(k, v.toByteArray()));
    return new DhcpMessage(op, xid, flags, ciaddr, yiaddr, chaddr, options);
  }

  private static void readOptions(
      byte[] wire, int start, int length, Map<Integer, ByteArrayOutputStream> into, String where)
      throws DhcpFormatException {
    int p = start;
    int end = start + length;
    while (true) {
      if (p >= end) {
        throw new DhcpFormatException(where + ": no end option");
      }
      int code = wire[p] & 0xff;
      if (code == DhcpMessage.OPT_END) {
        return;
      }
      if (code == DhcpMessage.OPT_PAD) {
        p++;
        continue;
      }
      if (p + 1 >= end) {
        throw new DhcpFormatException(where + ": option " + code + " has no length");
      }
      int n = wire[p + 1] & 0xff;
      if (p + 2 + n > end) {
        throw new DhcpFormatException(
            where + ": option " + code + " length " + n + " runs past the end");
      }
      into.computeIfAbsent(code, k -> new ByteArrayOutputStream()).write(wire, p + 2, n);
      p += 2 + n;
    }
  }
}
