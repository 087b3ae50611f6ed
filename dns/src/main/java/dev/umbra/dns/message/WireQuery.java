package dev.umbra.dns.message;

/**
 * The plain shape of a client query read straight off the wire, for answering cache hits without
 * building a {@link org.xbill.DNS.Message}: one question with an uncompressed name, nothing else
 * but an optional OPT record without options. Anything else is not a {@code WireQuery}, and takes
 * the full path (which also reports what is wrong with it).
 *
 * @param nameEnd offset just past the question name (the name starts at {@link
 *     DnsCodec#HEADER_SIZE})
 * @param payloadSize the client's EDNS0 UDP payload size, or -1 without an OPT record
 */
public record WireQuery(byte[] wire, int id, int nameEnd, int type, int dclass, int payloadSize) {

  private static final int QR = 0x8000;
  private static final int OPCODE = 0x7800;
  private static final int OPT = 41;

  /** The query's shape, or null when it is not a plain query (then the full path answers it). */
  public static WireQuery parse(byte[] wire, int length) {
    int nameEnd = scan(wire, length);
    if (nameEnd < 0) {
      return null;
    }
    return new WireQuery(
        wire,
        DnsCodec.u16(wire, 0),
        nameEnd,
        type(wire, nameEnd),
        dclass(wire, nameEnd),
        payloadSize(wire, nameEnd));
  }

  /**
   * {@link #parse} without an object: the offset just past the question name when {@code wire[0,
   * length)} is a plain query, else -1. The other fields are read with {@link #type}, {@link
   * #dclass} and {@link #payloadSize} (a cache hit is answered without allocating).
   */
  public static int scan(byte[] wire, int length) {
    if (length < DnsCodec.HEADER_SIZE + 5 || length > 512) {
      return -1;
    }
    int flags = DnsCodec.u16(wire, 2);
    if ((flags & (QR | OPCODE)) != 0
        || DnsCodec.u16(wire, 4) != 1
        || DnsCodec.u16(wire, 6) != 0
        || DnsCodec.u16(wire, 8) != 0) {
      return -1;
    }
    int arcount = DnsCodec.u16(wire, 10);
    if (arcount > 1) {
      return -1;
    }
    int p = DnsCodec.HEADER_SIZE;
    while (true) {
      if (p >= length) {
        return -1;
      }
      int len = wire[p] & 0xff;
      if (len == 0) {
        p++;
        break;
      }
      if (len > 63) {
        return -1; // a pointer or an extended label type
      }
      p += 1 + len;
      if (p - DnsCodec.HEADER_SIZE > 254) {
        return -1;
      }
    }
    int nameEnd = p;
    if (p + 4 > length) {
      return -1;
    }
    p += 4;
    if (arcount == 1) {
      // root name, TYPE OPT, CLASS = payload size, TTL = extended flags, RDLENGTH 0
      if (p + 11 != length || wire[p] != 0 || DnsCodec.u16(wire, p + 1) != OPT) {
        return -1;
      }
      if (DnsCodec.u16(wire, p + 9) != 0 || wire[p + 5] != 0) {
        return -1; // options, or an extended RCODE in a query
      }
      p += 11;
    }
    return p == length ? nameEnd : -1;
  }

  /** The question type of a query {@link #scan} accepted. */
  public static int type(byte[] wire, int nameEnd) {
    return DnsCodec.u16(wire, nameEnd);
  }

  /** The question class of a query {@link #scan} accepted. */
  public static int dclass(byte[] wire, int nameEnd) {
    return DnsCodec.u16(wire, nameEnd + 2);
  }

  /** The EDNS0 UDP payload size of a query {@link #scan} accepted, or -1 without OPT. */
  public static int payloadSize(byte[] wire, int nameEnd) {
    return DnsCodec.u16(wire, 10) == 1 ? DnsCodec.u16(wire, nameEnd + 4 + 3) : -1;
  }

  /** The largest answer a client with this EDNS0 payload size (-1: none) takes over UDP. */
  public static int udpLimit(int payloadSize) {
    return payloadSize < 0 ? 512 : Math.max(512, payloadSize);
  }

  /** The question name in lower case, as a cache key compares it. */
  public byte[] canonicalName() {
    byte[] out = new byte[nameEnd - DnsCodec.HEADER_SIZE];
    for (int i = 0; i < out.length; i++) {
      byte b = wire[DnsCodec.HEADER_SIZE + i];
      out[i] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
    return out;
  }

  /** The largest answer this client takes over UDP (RFC 1035 512, or its EDNS0 size). */
  public int udpLimit() {
    return udpLimit(payloadSize);
  }
}
