package dev.umbra.dns.message;

import java.util.Arrays;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A response encoded once, with the offsets of its TTL fields, so a cache hit is a copy with the
 * ID, the question name's case and the TTLs patched instead of a new message and a new encoding.
 */
public final class WireAnswer {
  private final byte[] wire;
  private final int[] ttlOffsets;

  private WireAnswer(byte[] wire, int[] ttlOffsets) {
    this.wire = wire;
    this.ttlOffsets = ttlOffsets;
  }

  /**
   * The encoding of {@code m}; with {@code withoutOpt} its OPT record is left out (RFC 6891: no OPT
   * in an answer to a query without one). Null unless the message has one question, named {@code
   * canonicalName} (lower-case wire form) but for case.
   */
  public static WireAnswer of(Message m, boolean withoutOpt, byte[] canonicalName) {
    if (m.getSection(Section.QUESTION).size() != 1) {
      return null;
    }
    Message out = m;
    if (withoutOpt && m.getOPT() != null) {
      out = m.clone();
      for (Record r : out.getSection(Section.ADDITIONAL)) {
        if (r instanceof OPTRecord) {
          out.removeRecord(r, Section.ADDITIONAL);
        }
      }
    }
    byte[] wire = out.toWire();
    if (!questionIs(wire, canonicalName)) {
      return null;
    }
    int[] offsets = ttlOffsets(wire);
    return offsets == null ? null : new WireAnswer(wire, offsets);
  }

  public int length() {
    return wire.length;
  }

  /**
   * A copy for one client: its ID, its question name bytes (equal but for case, so of the same
   * length), and each TTL mapped: {@code fixedTtl} when not negative, else the stored TTL less
   * {@code ageSeconds} (not below 0).
   */
  public byte[] render(WireQuery q, long ageSeconds, long fixedTtl) {
    byte[] out = new byte[wire.length];
    renderInto(out, q.wire(), q.nameEnd(), ageSeconds, fixedTtl);
    return out;
  }

  /**
   * {@link #render} into {@code out} (at least {@link #length} bytes) for the query in {@code
   * query} whose name ends at {@code nameEnd}; returns the answer's length. Allocates nothing.
   */
  public int renderInto(byte[] out, byte[] query, int nameEnd, long ageSeconds, long fixedTtl) {
    System.arraycopy(wire, 0, out, 0, wire.length);
    out[0] = query[0];
    out[1] = query[1];
    System.arraycopy(
        query, DnsCodec.HEADER_SIZE, out, DnsCodec.HEADER_SIZE, nameEnd - DnsCodec.HEADER_SIZE);
    if (fixedTtl >= 0 || ageSeconds > 0) {
      for (int at : ttlOffsets) {
        long ttl;
        if (fixedTtl >= 0) {
          ttl = fixedTtl;
        } else {
          long stored = ((long) u16(out, at) << 16) | u16(out, at + 2);
          ttl = Math.max(0, stored - ageSeconds);
        }
        out[at] = (byte) (ttl >>> 24);
        out[at + 1] = (byte) (ttl >>> 16);
        out[at + 2] = (byte) (ttl >>> 8);
        out[at + 3] = (byte) ttl;
      }
    }
    return wire.length;
  }

  /** Whether the first question's name, at the header's end, is {@code canonical} but for case. */
  private static boolean questionIs(byte[] w, byte[] canonical) {
    int end = DnsCodec.HEADER_SIZE + canonical.length;
    if (DnsCodec.u16(w, 4) != 1 || w.length < end) {
      return false;
    }
    for (int i = 0; i < canonical.length; i++) {
      byte b = w[DnsCodec.HEADER_SIZE + i];
      if ((b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b) != canonical[i]) {
        return false;
      }
    }
    return true;
  }

  /** Offsets of the TTL fields of all records but OPT, or null if the message does not walk. */
  static int[] ttlOffsets(byte[] w) {
    if (w.length < DnsCodec.HEADER_SIZE) {
      return null;
    }
    int qd = DnsCodec.u16(w, 4);
    int rr = DnsCodec.u16(w, 6) + DnsCodec.u16(w, 8) + DnsCodec.u16(w, 10);
    int[] out = new int[rr];
    int n = 0;
    int p = DnsCodec.HEADER_SIZE;
    for (int i = 0; i < qd; i++) {
      p = skipName(w, p);
      if (p < 0 || p + 4 > w.length) {
        return null;
      }
      p += 4;
    }
    for (int i = 0; i < rr; i++) {
      p = skipName(w, p);
      if (p < 0 || p + 10 > w.length) {
        return null;
      }
      int type = DnsCodec.u16(w, p);
      if (type != org.xbill.DNS.Type.OPT) {
        out[n++] = p + 4;
      }
      p += 10 + DnsCodec.u16(w, p + 8);
      if (p > w.length) {
        return null;
      }
    }
    return p == w.length ? Arrays.copyOf(out, n) : null;
  }

  /** The offset after the name at {@code p} (labels ending in a root byte or a pointer). */
  private static int skipName(byte[] w, int p) {
    while (p < w.length) {
      int len = w[p] & 0xff;
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return p + 2 <= w.length ? p + 2 : -1;
      }
      if (len > 63) {
        return -1;
      }
      p += 1 + len;
    }
    return -1;
  }

  private static int u16(byte[] b, int i) {
    return DnsCodec.u16(b, i);
  }
}
